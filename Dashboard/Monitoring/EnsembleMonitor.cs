using System.Collections.Concurrent;
using System.Diagnostics;
using Dashboard.Core.AdminServer;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Replicas;

namespace Dashboard.Monitoring;

/// <summary>
/// One polling loop per cluster that has nodes (a sandbox joins once it is ready): poll, record in the store, wait
/// out the rest of the interval. Loops follow the registry: a changed definition restarts its loop. Among replicas
/// sharing a database, a loop polls only while this replica holds the cluster's lease (and hands each snapshot to
/// the outbox the others read); otherwise it re-checks often, so a lease taken over starts polling at once.
/// </summary>
internal sealed partial class EnsembleMonitor(ClusterRegistry registry, EnsembleStore store, AdminServerClient admin, PollingDuty duty, LiveSnapshotOutbox outbox,
    ClusterLeases leases, ILogger<EnsembleMonitor> logger) : BackgroundService
{
    /// <summary>How often a loop that does not poll its cluster asks again whether it should (a lease round is seconds).</summary>
    internal static readonly TimeSpan DutyRecheck = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, long> _polls = new(StringComparer.Ordinal);

    /// <summary>Polls this replica made of a cluster since it started (tests, and a check that followers do not poll).</summary>
    internal long PollsOf(string clusterId) => _polls.TryGetValue(clusterId, out var n) ? n : 0;

    private int _cutOff;

    /// <summary>Says once when this replica starts polling every cluster because the database is out of reach, and once when it stops.</summary>
    private void NoteCutOff()
    {
        var now = duty.CutOff ? 1 : 0;
        if (Interlocked.Exchange(ref _cutOff, now) == now) return;
        if (now == 1) LogCutOff(logger);
        else LogReconnected(logger);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new ClusterLoops(registry, c => c.Availability is ClusterAvailability.Configured or ClusterAvailability.Ready && !c.Definition.Nodes.IsDefaultOrEmpty, PollLoopAsync, store.Remove).RunAsync(stoppingToken);

    private async Task PollLoopAsync(ClusterDefinition cluster, CancellationToken cancellationToken)
    {
        // One ZooKeeper session per cluster for /zookeeper/config, opened only if no node gives its membership otherwise.
        var configMembership = new ConfigMembershipReader(cluster);
        await using var _ = configMembership.ConfigureAwait(false);
        var poller = new EnsemblePoller(new NodeProbe(admin)) { ConfigMembership = configMembership };
        LogStarted(logger, cluster.Id, cluster.Nodes.Length, cluster.PollInterval.TotalMilliseconds);
        var silent = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            var why = duty.Why(cluster.Id, cluster.PollInterval);
            var polls = why != PollReason.None;
            NoteCutOff();
            if ((why == PollReason.HolderSilent) != silent)
            {
                silent = !silent;
                if (silent) LogHolderSilent(logger, cluster.Id, PollingDuty.SilentAfter(cluster.PollInterval).TotalSeconds);
                else LogHolderBack(logger, cluster.Id);
            }
            if (polls)
            {
                try
                {
                    var snapshot = await poller.PollAsync(cluster, cancellationToken).ConfigureAwait(false);
                    _polls.AddOrUpdate(cluster.Id, 1, (_, n) => n + 1);
                    if (duty.IsShared) snapshot = snapshot with { PolledBy = leases.Holder };
                    foreach (var e in store.Record(snapshot)) LogEvent(logger, cluster.Id, e.Kind, e.Message);
                    if (duty.IsShared) outbox.Offer(snapshot);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    // A bug in one poll must not end monitoring; the next poll tries again.
                    LogPollFailed(logger, cluster.Id, e);
                }
            }
            var rest = (polls ? cluster.PollInterval : DutyRecheck) - clock.Elapsed;
            try
            {
                if (rest > TimeSpan.Zero) await Task.Delay(rest, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitoring cluster {ClusterId}: {Nodes} node(s) every {IntervalMs} ms.")]
    private static partial void LogStarted(ILogger logger, string clusterId, int nodes, double intervalMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {ClusterId}: {Kind}: {Message}")]
    private static partial void LogEvent(ILogger logger, string clusterId, EnsembleEventKind kind, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {ClusterId}: its lease holder published no new snapshot for {Seconds} s; this replica polls it itself until the holder's snapshots come again.")]
    private static partial void LogHolderSilent(ILogger logger, string clusterId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {ClusterId}: its lease holder publishes again; this replica shows its snapshots and stops polling.")]
    private static partial void LogHolderBack(ILogger logger, string clusterId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No lease round has succeeded for a lease period: this replica polls every cluster itself until the database answers.")]
    private static partial void LogCutOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leases are renewed again: this replica polls only the clusters it holds and shows the others' from the database.")]
    private static partial void LogReconnected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Polling cluster {ClusterId} failed.")]
    private static partial void LogPollFailed(ILogger logger, string clusterId, Exception exception);
}
