using System.Diagnostics;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Replicas;

namespace Dashboard.Replicas;

/// <summary>
/// Renews this replica's cluster leases and takes free or expired ones, every <see cref="ReplicaSettings.RenewInterval"/>;
/// at stop, lets them go so another replica takes over at its next round. A database that cannot be reached only
/// means leases lapse (history waits in memory anyway); monitoring never stops.
/// </summary>
internal sealed partial class LeaseRenewal(ClusterLeases leases, ClusterLeaseStore store, ClusterRegistry registry, ReplicaSettings settings,
    MaintenanceCoordinator maintenance, TimeProvider time, ILogger<LeaseRenewal> logger) : BackgroundService
{
    /// <summary>A maintenance run under way holds a lease of this name while its replica lives.</summary>
    public const string RunLeasePrefix = "maintenance-run:";

    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!leases.IsShared) return; // one dashboard on its own database: every cluster is its own
        LogStarted(logger, leases.Holder, settings.LeaseDuration.TotalSeconds);
        using var timer = new PeriodicTimer(settings.RenewInterval, time);
        do
        {
            await Task.Run(RenewOnce, stoppingToken).ConfigureAwait(false);
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try { return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false); }
        catch (OperationCanceledException) { return false; }
    }

    internal void RenewOnce()
    {
        var clusters = registry.Clusters.Where(c => c.Availability is ClusterAvailability.Configured or ClusterAvailability.Ready && !c.Definition.Nodes.IsDefaultOrEmpty)
            .Select(c => c.Definition.Id).ToList();
        var runs = maintenance.ExecutingRunIds;
        var sentAt = Stopwatch.GetTimestamp();
        try
        {
            var before = leases.HeldClusters.ToHashSet(StringComparer.Ordinal);
            var held = store.Renew(leases.Holder, [.. clusters, .. runs.Select(r => RunLeasePrefix + r)], settings.LeaseDuration);
            leases.Renewed(held, sentAt, settings.LeaseDuration, time.GetUtcNow());
            foreach (var taken in held.Keys.Where(k => !before.Contains(k) && !k.StartsWith(RunLeasePrefix, StringComparison.Ordinal))) LogTaken(logger, taken, held[taken]);
            foreach (var lost in before.Where(k => !held.ContainsKey(k) && !k.StartsWith(RunLeasePrefix, StringComparison.Ordinal))) LogLost(logger, lost);
            PauseOrphanedRuns();
            if (_failing) LogRecovered(logger);
            _failing = false;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException or MaintenanceRefusedException)
        {
            if (!_failing) LogFailing(logger, e.Message);
            _failing = true;
        }
    }

    /// <summary>
    /// A run marked running whose replica's lease lapsed was left by a replica that died: pause it (the step under
    /// way is marked interrupted, so resuming elsewhere asks verify or retry and never silently acts twice). A run
    /// saved within the last two lease periods is spared: its replica may not have renewed its lease yet.
    /// </summary>
    private void PauseOrphanedRuns()
    {
        var live = store.Live(RunLeasePrefix);
        var now = time.GetUtcNow();
        var paused = maintenance.RecoverInterrupted(run => live.Contains(RunLeasePrefix + run.Id) || now - run.UpdatedAt < settings.LeaseDuration * 2);
        if (paused > 0) LogOrphansPaused(logger, paused);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!leases.IsShared) return;
        leases.Released();
        try { store.Release(leases.Holder); }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            LogFailing(logger, e.Message); // the leases then expire by themselves
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Holder}: cluster leases last {Seconds} s; the holder of a cluster's lease writes its history.")]
    private static partial void LogStarted(ILogger logger, string holder, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Took the lease of cluster {ClusterId} (epoch {Epoch}): this replica writes its history now.")]
    private static partial void LogTaken(ILogger logger, string clusterId, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease of cluster {ClusterId}: another replica writes its history now.")]
    private static partial void LogLost(ILogger logger, string clusterId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster leases cannot be renewed ({Problem}); they lapse until the database answers.")]
    private static partial void LogFailing(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} maintenance run(s) were left running by a replica that stopped; they are paused until an operator resumes or aborts them.")]
    private static partial void LogOrphansPaused(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster leases are renewed again.")]
    private static partial void LogRecovered(ILogger logger);
}
