using Dashboard.Core.History;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dashboard.History;

internal static class HistoryServices
{
    public static IServiceCollection AddHistory(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("History").Get<HistoryOptions>() ?? new HistoryOptions();
        if (string.IsNullOrWhiteSpace(options.DatabasePath)) options = options with { DatabasePath = new HistoryOptions().DatabasePath };
        options.Validate();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<HistoryDatabase>();
        services.AddSingleton(sp => new HistoryWriter(sp.GetRequiredService<HistoryDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<HistoryReader>();
        services.AddHostedService<HistoryMaintenance>();
        services.AddSingleton<EnsembleHistoryRecorder>();
        services.AddHostedService<EnsembleHistoryFeeder>();
        services.AddSingleton<KafkaHistoryRecorder>();
        services.AddSingleton<KafkaHistoryReader>();
        return services;
    }
}
