using Dashboard.Core.Access;
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
        services.AddHostedService<MaintenanceLifetime>();
        services.AddHostedService<MaintenancePusher>();
        return services;
    }
}
