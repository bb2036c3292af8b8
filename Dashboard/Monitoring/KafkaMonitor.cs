using Dashboard.Core.Clusters;
using Dashboard.Core.History;
using Dashboard.Core.Kafka;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Monitoring;

/// <summary>
/// Keeps each cluster's Kafka (if it has one) current in the <see cref="KafkaStore"/> and the history: one loop per
/// cluster, following the registry. A loop owns one ZooKeeper session and one watcher; when the session expires (or
/// cannot be made) it starts over with a new pair after a growing pause. No Kafka found: the cluster has no entry,
/// and the loop looks again later (a sandbox starts its brokers after its ensemble is ready).
/// </summary>
internal sealed partial class KafkaMonitor(
    ClusterRegistry registry, KafkaStore store, KafkaHistoryRecorder recorder, KafkaHistoryReader history,
    TimeProvider time, ILogger<KafkaMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>How the watcher reads; tests shorten the periodic full read.</summary>
    public KafkaWatcherOptions WatcherOptions { get; init; } = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new ClusterLoops(registry, c => c.Availability is ClusterAvailability.Configured or ClusterAvailability.Ready && c.Definition.WatchKafka, WatchLoopAsync).RunAsync(stoppingToken);

    private async Task WatchLoopAsync(ClusterDefinition cluster, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        try
        {
            if (await history.LastControllerCzxidAsync(cluster.Id, cancellationToken).ConfigureAwait(false) is { } czxid)
                recorder.KnowControllerTerm(cluster.Id, czxid);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHistoryUnreadable(logger, cluster.Id, e.Message); // history degraded: at worst the current term is stored twice
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await WatchOneSessionAsync(cluster, () => delay = FirstRetryDelay, cancellationToken).ConfigureAwait(false) is { } gone)
                    throw gone;
                store.RecordProblem(cluster.Id, "The ZooKeeper session expired; reconnecting.");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (KafkaClusterNotFoundException e)
            {
                // Once seen, the last snapshot stays with the news that the metadata is gone and since when; the loop
                // keeps looking (at the root and one level down when no chroot is configured, so a move is found).
                if (store.Get(cluster.Id) is { } last)
                {
                    LogKafkaGone(logger, cluster.Id, e.Message);
                    store.RecordProblem(cluster.Id, Gone(cluster, last, e.Message));
                }
            }
            catch (Exception e)
            {
                // Connection refused, auth failed, a bug: never the app's end; the page says why, the loop retries.
                LogWatchFailed(logger, cluster.Id, e.Message);
                store.RecordProblem(cluster.Id, e.Message);
            }
            try
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = delay * 2 > MaxRetryDelay ? MaxRetryDelay : delay * 2;
        }
        store.Remove(cluster.Id);
    }

    private static string Gone(ClusterDefinition cluster, ClusterKafkaState last, string reason) =>
        $"Kafka's metadata is no longer found ({reason}); last seen under {(last.Snapshot.Chroot.Length == 0 ? "/" : last.Snapshot.Chroot)} at "
        + $"{last.Snapshot.ReadAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC. Showing that read; "
        + (cluster.KafkaChroot is null ? "looking for it at the root and one level down." : $"watching the configured chroot {cluster.KafkaChroot}.");

    /// <summary>
    /// One session, one watcher: returns when the session has expired (null), or the metadata the watcher followed is
    /// gone while the chroot was only detected (a new watcher then looks for it again, possibly elsewhere).
    /// </summary>
    private async Task<KafkaClusterNotFoundException?> WatchOneSessionAsync(ClusterDefinition cluster, Action connected, CancellationToken cancellationToken)
    {
        var client = await ZooKeeperClient.ConnectAsync(cluster.ConnectString, cluster.ClientOptions(), cancellationToken).ConfigureAwait(false);
        await using var _ = client.ConfigureAwait(false);
        if (cluster.Digest is { } digest)
        {
            var colon = digest.IndexOf(':', StringComparison.Ordinal);
            await client.AddDigestAuthAsync(digest[..colon], digest[(colon + 1)..], cancellationToken).ConfigureAwait(false);
        }
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += (_, change) =>
        {
            if (change.Current is SessionState.Expired or SessionState.Closed or SessionState.AuthFailed) ended.TrySetResult();
            else if (change.Current is SessionState.Lost) store.RecordProblem(cluster.Id, "Lost the connection to ZooKeeper; showing the last state read.");
            else if (change.Current is SessionState.Connected) store.RecordProblem(cluster.Id, null);
        };

        var watcher = new KafkaClusterWatcher(client, WatcherOptions with { Chroot = cluster.KafkaChroot ?? WatcherOptions.Chroot }, time);
        await using var __ = watcher.ConfigureAwait(false);
        watcher.History.Changed += term => OnControllerTerm(cluster.Id, watcher, term);
        watcher.History.Ended += term => OnControllerGone(cluster.Id, watcher, term);
        using var subscription = watcher.Subscribe(update => OnUpdate(cluster.Id, watcher, update));
        KafkaClusterNotFoundException? gone = null;
        watcher.ReadFailed += e =>
        {
            if (e is KafkaClusterNotFoundException notFound && cluster.KafkaChroot is null)
            {
                gone = notFound;
                ended.TrySetResult();
                return;
            }
            if (store.Get(cluster.Id) is { } last)
                store.RecordProblem(cluster.Id, e is KafkaClusterNotFoundException
                    ? Gone(cluster, last, e.Message)
                    : $"Reading Kafka's metadata has failed {watcher.ConsecutiveFailures} time(s) in a row since {watcher.FirstFailureAt?.UtcDateTime:HH:mm:ss} UTC ({e.Message}); showing the read of {last.Snapshot.ReadAt.UtcDateTime:HH:mm:ss} UTC.");
        };
        await watcher.StartAsync(cancellationToken).ConfigureAwait(false);
        connected();
        LogWatching(logger, cluster.Id, watcher.Current?.Chroot is { Length: > 0 } c ? c : "/");
        await ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return gone;
    }

    private void OnUpdate(string clusterId, KafkaClusterWatcher watcher, KafkaClusterUpdate update)
    {
        if (store.Record(clusterId, update, watcher.History.Changes) is { } state) recorder.Record(clusterId, update, state.Analysis);
        foreach (var e in update.Events.Where(e => e.Kind is KafkaEventKind.BrokerGone or KafkaEventKind.BrokerRegistered or KafkaEventKind.BrokerRestarted))
            LogEvent(logger, clusterId, e.Message);
    }

    private void OnControllerTerm(string clusterId, KafkaClusterWatcher watcher, ControllerChange term)
    {
        var previous = store.Get(clusterId)?.ControllerHistory.LastOrDefault(c => c.Czxid != term.Czxid && c.Started <= term.Started)?.BrokerId;
        recorder.RecordControllerTerm(clusterId, term, previous);
        store.RecordControllerTerms(clusterId, watcher.History.Changes);
        LogEvent(logger, clusterId, $"controller is broker {term.BrokerId} (epoch {term.Epoch})");
    }

    /// <summary>Every broker session gone (or the controller's alone): the term ends now, in the store and the history.</summary>
    private void OnControllerGone(string clusterId, KafkaClusterWatcher watcher, ControllerChange term)
    {
        recorder.RecordControllerGone(clusterId, term);
        store.RecordControllerTerms(clusterId, watcher.History.Changes);
        LogEvent(logger, clusterId, $"no controller: broker {term.BrokerId}'s term (epoch {term.Epoch}) ended");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {ClusterId}: watching Kafka under {Chroot}.")]
    private static partial void LogWatching(ILogger logger, string clusterId, string chroot);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {ClusterId}: Kafka: {Message}")]
    private static partial void LogEvent(ILogger logger, string clusterId, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {ClusterId}: Kafka is no longer found ({Reason}).")]
    private static partial void LogKafkaGone(ILogger logger, string clusterId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {ClusterId}: watching Kafka failed, retrying: {Reason}")]
    private static partial void LogWatchFailed(ILogger logger, string clusterId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {ClusterId}: the stored controller history could not be read: {Reason}")]
    private static partial void LogHistoryUnreadable(ILogger logger, string clusterId, string reason);
}
