using Dashboard.Core.History;
using Dashboard.Core.Replicas;

namespace Dashboard.Replicas;

internal static class ReplicaServices
{
    /// <summary>Leases (active only when the history is shared, on PostgreSQL), and the health endpoints' needs.</summary>
    public static IServiceCollection AddReplicas(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("Replicas").Get<ReplicaSettings>() ?? new ReplicaSettings();
        settings.Validate();
        services.AddSingleton(settings);
        services.AddSingleton(sp => new ClusterLeases(settings.ResolvedName, sp.GetRequiredService<HistoryDatabase>().Provider.IsShared));
        services.AddSingleton<ClusterLeaseStore>();
        services.AddHostedService<LeaseRenewal>();
        return services;
    }
}
