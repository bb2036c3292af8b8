using Dashboard.Core.History;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dashboard.Hosting;

/// <summary>
/// The history database and its single writer, shared by every feature that stores something (the audit log,
/// API tokens, snapshots). TryAdd: whichever feature registers first wins, the others reuse it.
/// </summary>
internal static class HistoryServices
{
    public static IServiceCollection AddHistoryStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => configuration.GetSection("History").Get<HistoryOptions>() ?? new HistoryOptions());
        services.TryAddSingleton<HistoryDatabase>();
        services.TryAddSingleton(sp => new HistoryWriter(sp.GetRequiredService<HistoryDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<HistoryWriterStart>();
        return services;
    }

    /// <summary>Starts the write loop with the app; the container disposes the writer (flushing what it can) at shutdown.</summary>
    private sealed class HistoryWriterStart(HistoryWriter writer) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            writer.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
