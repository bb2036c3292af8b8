using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.History;
using Dashboard.Core.Maintenance;

namespace Dashboard.Maintenance;

internal static class MaintenanceServices
{
    public static IServiceCollection AddMaintenance(this IServiceCollection services)
    {
        services.AddSingleton<NodeControlFactory>();
        services.AddSingleton(sp => new MaintenanceStore(sp.GetRequiredService<HistoryDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IMaintenanceTargets, RegistryMaintenanceTargets>();
        services.AddSingleton(sp => new MaintenanceCoordinator(sp.GetRequiredService<MaintenanceStore>(), sp.GetRequiredService<IMaintenanceTargets>(),
            sp.GetRequiredService<IAuditLog>(), sp.GetRequiredService<TimeProvider>()));
        // A stopping dashboard finishes node actions under way (never cancels them): the host must wait that long.
        services.AddOptions<HostOptions>().Configure<ClusterRegistry>((host, registry) =>
        {
            var allowance = MaintenanceShutdown.Allowance(registry.Clusters.Select(c => c.Definition));
            if (allowance > host.ShutdownTimeout) host.ShutdownTimeout = allowance;
        });
        services.AddHostedService<MaintenanceLifetime>();
        services.AddSingleton<MaintenanceActions>();
        return services;
    }
}
