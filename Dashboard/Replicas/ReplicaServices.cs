using Dashboard.Core.History;
using Dashboard.Core.Replicas;

namespace Dashboard.Replicas;

internal static class ReplicaServices
{
    /// <summary>Leases and shared live snapshots (active only when the history is shared, on PostgreSQL), and the health endpoints' needs.</summary>
    public static IServiceCollection AddReplicas(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("Replicas").Get<ReplicaSettings>() ?? new ReplicaSettings();
        settings.Validate();
        services.AddSingleton(settings);
        services.AddSingleton(sp => new ClusterLeases(settings.ResolvedName, sp.GetRequiredService<HistoryDatabase>().Provider.IsShared));
        services.AddSingleton<ClusterLeaseStore>();
        services.AddHostedService<LeaseRenewal>();
        // Only the lease holder polls a cluster; the other replicas show the snapshots it publishes.
        services.AddSingleton(sp => new PollingDuty(sp.GetRequiredService<ClusterLeases>(), settings.LeaseDuration, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LiveSnapshotOutbox>();
        services.AddSingleton<LiveSnapshotStore>();
        services.AddHostedService<LiveSnapshotSharing>();
        return services;
    }
}
