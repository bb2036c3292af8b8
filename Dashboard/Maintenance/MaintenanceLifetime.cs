using Dashboard.Core.Maintenance;

namespace Dashboard.Maintenance;

/// <summary>
/// At start, runs the last process left running become paused (visibly, with the reason); at stop, runs under way
/// pause themselves before the process ends.
/// </summary>
internal sealed partial class MaintenanceLifetime(MaintenanceCoordinator coordinator, Core.Replicas.ClusterLeases leases, ILogger<MaintenanceLifetime> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Replicas on one database: a run marked running may be under way on another replica; the lease renewal
        // pauses only those whose replica's lease lapsed.
        if (leases.IsShared) return Task.CompletedTask;
        try
        {
            var paused = coordinator.RecoverInterrupted();
            if (paused > 0) LogRecovered(logger, paused);
        }
        catch (System.Data.Common.DbException e)
        {
            // Monitoring must start even when the database cannot be read; maintenance then refuses to start runs.
            LogUnreadable(logger, e);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await coordinator.DisposeAsync().ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} maintenance run(s) were interrupted by the last stop; they are paused until an operator resumes or aborts them.")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Maintenance runs could not be read from the history database.")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
