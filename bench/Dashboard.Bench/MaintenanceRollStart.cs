using Dashboard.Core.Access;
using Dashboard.Core.Maintenance;

namespace Dashboard.Bench;

/// <summary>How this version of the coordinator is called (the bench was first run against a version that took a user name).</summary>
internal static class MaintenanceRollStart
{
    public static readonly MaintenanceActor User = new("bench", DashboardRole.Operator);

    public static Task<MaintenanceRun> StartAsync(MaintenanceCoordinator coordinator) =>
        coordinator.StartAsync("sandbox", MaintenanceRequest.RollingRestart, User);
}
