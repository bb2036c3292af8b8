using System.Diagnostics;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Membership;
using Dashboard.Core.Replicas;

namespace Dashboard.Replicas;

/// <summary>
/// Renews this replica's cluster leases and takes free or expired ones, every <see cref="ReplicaSettings.RenewInterval"/>;
/// at stop, lets them go so another replica takes over at its next round. A database that cannot be reached only
/// means leases lapse (history waits in memory anyway); monitoring never stops.
/// </summary>
internal sealed partial class LeaseRenewal(ClusterLeases leases, ClusterLeaseStore store, ClusterRegistry registry, ReplicaSettings settings,
    MaintenanceCoordinator maintenance, MembershipCoordinator membership, TimeProvider time, ILogger<LeaseRenewal> logger) : BackgroundService
{
    /// <summary>A maintenance run under way holds a lease of this name while its replica lives.</summary>
    public const string RunLeasePrefix = "maintenance-run:";

    /// <summary>A membership change under way holds a lease of this name while its replica lives.</summary>
    public const string MembershipRunLeasePrefix = "membership-run:";

    private bool _failing;

    // After taking clusters nobody else would (a replica counted as alive that takes none: its cluster list differs),
    // shedding would hand them back to nobody and they would bounce every two lease periods. So this replica stops
    // shedding until the number of live replicas changes.
    private int? _noSheddingWhileReplicas;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!leases.IsShared) return; // one dashboard on its own database: every cluster is its own
        LogStarted(logger, leases.Holder, settings.LeaseDuration.TotalSeconds);
        // Orphaned runs are looked for on a loop of their own: those queries must never stretch a renewal round
        // (a round later than the lease lets the leases lapse).
        await Task.WhenAll(
            RepeatAsync(settings.RenewInterval, RenewOnce, stoppingToken),
            RepeatAsync(settings.LeaseDuration, PauseOrphanedRunsOnce, stoppingToken)).ConfigureAwait(false);
    }

    private async Task RepeatAsync(TimeSpan interval, Action round, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try { await Task.Run(round, stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
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
        var runs = maintenance.ExecutingRunIds.Select(r => RunLeasePrefix + r).Concat(membership.ExecutingRunIds.Select(r => MembershipRunLeasePrefix + r)).ToList();
        var sentAt = Stopwatch.GetTimestamp();
        try
        {
            var before = leases.HeldClusters.ToHashSet(StringComparer.Ordinal);
            var round = store.Renew(leases.Holder, clusters, settings.LeaseDuration, runs, mayShed: _noSheddingWhileReplicas is null);
            leases.Renewed(round.Held, sentAt, settings.LeaseDuration, time.GetUtcNow());
            if (_noSheddingWhileReplicas is { } replicas && replicas != round.LiveReplicas) _noSheddingWhileReplicas = null;
            if (round.TookAbandoned > 0)
            {
                _noSheddingWhileReplicas = round.LiveReplicas;
                LogTookAbandoned(logger, round.TookAbandoned, round.LiveReplicas, round.FairShare);
            }
            if (round.Shed > 0) LogShed(logger, round.Shed, round.LiveReplicas, round.FairShare);
            var taken = round.Held.Keys.Where(k => !before.Contains(k) && !IsRunKey(k)).ToList();
            var lost = before.Where(k => !round.Held.ContainsKey(k) && !IsRunKey(k)).ToList();
            // A round can move hundreds of clusters (a replica joined or died): one line per cluster only for a few.
            if (taken.Count <= 5) foreach (var t in taken) LogTaken(logger, t, round.Held[t]);
            else LogTakenMany(logger, taken.Count);
            // Those it let go itself are said above; only leases taken from it (it lapsed) are a warning.
            var takenFromIt = lost.Count - round.Shed;
            if (round.Shed == 0 && lost.Count <= 5) foreach (var l in lost) LogLost(logger, l);
            else if (takenFromIt > 0) LogLostMany(logger, takenFromIt);
            if (_failing) LogRecovered(logger);
            _failing = false;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            if (!_failing) LogFailing(logger, e.Message);
            _failing = true;
        }
    }

    private static bool IsRunKey(string key) =>
        key.StartsWith(RunLeasePrefix, StringComparison.Ordinal) || key.StartsWith(MembershipRunLeasePrefix, StringComparison.Ordinal);

    /// <summary>
    /// A run marked running whose replica's lease lapsed was left by a replica that died: pause it (the step under
    /// way is marked interrupted, so resuming elsewhere asks verify or retry and never silently acts twice). A run
    /// saved within the last two lease periods is spared: its replica may not have renewed its lease yet.
    /// </summary>
    internal void PauseOrphanedRunsOnce()
    {
        try
        {
            var live = store.Live(RunLeasePrefix);
            var now = time.GetUtcNow();
            var paused = maintenance.RecoverInterrupted(run => live.Contains(RunLeasePrefix + run.Id) || now - run.UpdatedAt < settings.LeaseDuration * 2);
            if (paused > 0) LogOrphansPaused(logger, paused);
            var liveChanges = store.Live(MembershipRunLeasePrefix);
            var pausedChanges = membership.RecoverInterrupted(run => liveChanges.Contains(MembershipRunLeasePrefix + run.Id) || now - run.UpdatedAt < settings.LeaseDuration * 2);
            if (pausedChanges > 0) LogOrphanChangesPaused(logger, pausedChanges);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException or MaintenanceRefusedException)
        {
            LogOrphanCheckFailed(logger, e.Message); // tried again next period
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Took the leases of {Count} clusters: this replica polls them and writes their history now.")]
    private static partial void LogTakenMany(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Let {Count} cluster leases go to other replicas: {Replicas} replicas alive, a fair share is {Share} clusters each.")]
    private static partial void LogShed(ILogger logger, int count, int replicas, int share);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took {Count} clusters beyond the fair share ({Share} of {Replicas} replicas): nobody had held them for two lease periods. Does every replica have the same cluster list?")]
    private static partial void LogTookAbandoned(ILogger logger, int count, int replicas, int share);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the leases of {Count} clusters: other replicas write their history now.")]
    private static partial void LogLostMany(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for maintenance runs left by a stopped replica failed ({Problem}); tried again in a lease period.")]
    private static partial void LogOrphanCheckFailed(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease of cluster {ClusterId}: another replica writes its history now.")]
    private static partial void LogLost(ILogger logger, string clusterId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster leases cannot be renewed ({Problem}); they lapse until the database answers.")]
    private static partial void LogFailing(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} maintenance run(s) were left running by a replica that stopped; they are paused until an operator resumes or aborts them.")]
    private static partial void LogOrphansPaused(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} membership change(s) were left running by a replica that stopped; they are paused until an admin resumes or aborts them.")]
    private static partial void LogOrphanChangesPaused(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster leases are renewed again.")]
    private static partial void LogRecovered(ILogger logger);
}
