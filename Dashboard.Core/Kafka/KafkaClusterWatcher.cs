using System.Threading.Channels;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Kafka;

public sealed record KafkaWatcherOptions
{
    /// <summary>Null: detected (<c>/brokers/ids</c> at the root or one level down).</summary>
    public string? Chroot { get; init; }

    /// <summary>Full re-read even without events, to heal watches lost with a session or events we missed.</summary>
    public TimeSpan FullReadInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Events within this window cost one re-read (a broker loss changes hundreds of states at once).</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(200);

    public int ControllerHistoryCapacity { get; init; } = 200;

    /// <summary>Data watches on every partition state; off means ISR changes show at the next full read.</summary>
    public bool WatchPartitionStates { get; init; } = true;
}

/// <summary>A new snapshot and what changed since the previous one.</summary>
public sealed record KafkaClusterUpdate(KafkaClusterSnapshot Snapshot, IReadOnlyList<KafkaClusterEvent> Events);

/// <summary>
/// Keeps a <see cref="KafkaClusterSnapshot"/> current: watches on broker ids, topics, <c>/controller</c> and
/// partition states trigger a (debounced) re-read, and a periodic full read heals anything missed. The controller
/// watch also feeds <see cref="ControllerHistory"/> at once, not debounced, so short terms are recorded.
/// Bound to one client: the client keeps watches across reconnects, but after its session expires the owner makes a
/// new client and a new watcher (handing over <see cref="History"/> is up to the store that outlives both).
/// </summary>
public sealed partial class KafkaClusterWatcher : IAsyncDisposable
{
    private readonly ZooKeeperClient _client;
    private readonly KafkaWatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly KafkaMetadataReader _reader;
    private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<string> _watchedStates = [];
    private readonly HashSet<string> _firedStates = [];
    private readonly Lock _subscribersLock = new();
    private readonly List<Action<KafkaClusterUpdate>> _subscribers = [];
    private Task _loop = Task.CompletedTask;
    private Task _controllerWatch = Task.CompletedTask;

    public KafkaClusterWatcher(ZooKeeperClient client, KafkaWatcherOptions? options = null, TimeProvider? time = null)
    {
        _client = client;
        _options = options ?? new KafkaWatcherOptions();
        _time = time ?? TimeProvider.System;
        _reader = new KafkaMetadataReader(client, _options.Chroot, _time);
        History = new ControllerHistory(_options.ControllerHistoryCapacity);
    }

    public KafkaClusterSnapshot? Current { get; private set; }

    public ControllerHistory History { get; }

    /// <summary>Reads that failed (kept for the page to show; the previous snapshot stays current).</summary>
    public Exception? LastError { get; private set; }

    public int Reads { get; private set; }

    /// <summary>Reads failed in a row since the last good one, and when the first of them failed.</summary>
    public int ConsecutiveFailures { get; private set; }

    public DateTimeOffset? FirstFailureAt { get; private set; }

    /// <summary>A read failed (the previous snapshot stays current); raised on every failure so the page can say so.</summary>
    public event Action<Exception>? ReadFailed;

    public IDisposable Subscribe(Action<KafkaClusterUpdate> callback)
    {
        lock (_subscribersLock) _subscribers.Add(callback);
        return new Subscription(() =>
        {
            lock (_subscribersLock) _subscribers.Remove(callback);
        });
    }

    /// <summary>The first read (which also detects the chroot), then watches and the refresh loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Something beyond partition states changed (brokers, topics, controller, admin requests, configs): a full read follows.</summary>
    private void MarkDirty()
    {
        Interlocked.Exchange(ref _fullReadDue, 1);
        _dirty.Writer.TryWrite(true);
    }

    /// <summary>Only partition states fired: those are re-read alone and patched into the snapshot.</summary>
    private void MarkStatesDirty() => _dirty.Writer.TryWrite(true);

    private int _fullReadDue;

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                using var periodic = CancellationTokenSource.CreateLinkedTokenSource(token);
                periodic.CancelAfter(_options.FullReadInterval);
                try
                {
                    await _dirty.Reader.ReadAsync(periodic.Token).ConfigureAwait(false);
                    await Task.Delay(_options.Debounce, _time, token).ConfigureAwait(false);
                    _dirty.Reader.TryRead(out _);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    Interlocked.Exchange(ref _fullReadDue, 1); // the periodic full read
                }
                if (Interlocked.Exchange(ref _fullReadDue, 0) == 1 || Current is null || !await RefreshStatesAsync(token).ConfigureAwait(false))
                    await RefreshAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ZooKeeperException or TimeoutException or KafkaClusterNotFoundException or KafkaMetadataUnreadableException)
            {
                LastError = e;
                ConsecutiveFailures++;
                FirstFailureAt ??= _time.GetUtcNow();
                ReadFailed?.Invoke(e);
                // Retried after the debounce, not at once: a read that keeps failing must not spin.
                try { await Task.Delay(_options.Debounce * 5, _time, token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                MarkDirty();
            }
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var detecting = _reader.Chroot is null;
        await ArmWatchesAsync(cancellationToken).ConfigureAwait(false);
        if (_options.WatchPartitionStates) await RearmFiredStateWatchesAsync(cancellationToken).ConfigureAwait(false);
        var readStarted = _time.GetUtcNow();
        var snapshot = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (detecting)
        {
            // The chroot was only known after this read: arm now, and read again so nothing between is lost.
            await ArmWatchesAsync(cancellationToken).ConfigureAwait(false);
            MarkDirty();
        }
        Reads++;
        var previous = Current;
        // New partitions are armed only after the read that found them; a change in between would be missed, so read again.
        if (_options.WatchPartitionStates && await ArmNewStateWatchesAsync(snapshot, cancellationToken).ConfigureAwait(false) > 0) MarkDirty();
        Publish(previous, snapshot, readStarted, observeController: true);
    }

    private void Publish(KafkaClusterSnapshot? previous, KafkaClusterSnapshot snapshot, DateTimeOffset readStarted, bool observeController)
    {
        ConsecutiveFailures = 0;
        FirstFailureAt = null;
        if (observeController) History.Observe(snapshot.Controller, snapshot.ReadAt, readStarted);
        Current = snapshot;
        var update = new KafkaClusterUpdate(snapshot, previous is null ? [] : KafkaSnapshotDiff.Compare(previous, snapshot));
        Action<KafkaClusterUpdate>[] subscribers;
        lock (_subscribersLock) subscribers = [.. _subscribers];
        foreach (var subscriber in subscribers) subscriber(update);
    }

    /// <summary>Watches are one-shot: the children watches are set again before every read, so no change falls between.</summary>
    private async Task ArmWatchesAsync(CancellationToken cancellationToken)
    {
        if (_reader.Chroot is null) return; // before the first read detected it; the first refresh comes right after
        var paths = new KafkaPaths(_reader.Chroot);
        await Task.WhenAll(
            WatchChildrenAsync(paths.BrokerIds, cancellationToken),
            WatchChildrenAsync(paths.Topics, cancellationToken),
            // Admin requests and configs: a deletion, an election or reassignment request, a min ISR change (Kafka
            // writes a config_change_ node under /config/changes for every config change) shows within the debounce.
            WatchChildrenAsync(paths.DeleteTopics, cancellationToken),
            WatchChildrenAsync(paths.TopicConfigs, cancellationToken),
            WatchChildrenAsync(paths.BrokerConfigs, cancellationToken),
            WatchChildrenAsync(paths.ConfigChanges, cancellationToken),
            WatchExistsAsync(paths.PreferredReplicaElection, cancellationToken),
            WatchExistsAsync(paths.ReassignPartitions, cancellationToken),
            WatchExistsAsync(paths.Migration, cancellationToken)).ConfigureAwait(false);
        if (_controllerWatch.IsCompleted) _controllerWatch = WatchControllerAsync(paths, cancellationToken);
    }

    /// <summary>One watch per path at a time: a data/exists watch is set again only after it fired.</summary>
    private async Task WatchExistsAsync(string path, CancellationToken cancellationToken)
    {
        lock (_armedExists)
            if (!_armedExists.Add(path)) return;
        try
        {
            await _client.ExistsAsync(path, _ =>
            {
                lock (_armedExists) _armedExists.Remove(path);
                MarkDirty();
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_armedExists) _armedExists.Remove(path);
            throw;
        }
    }

    private readonly HashSet<string> _armedExists = [];

    private async Task WatchChildrenAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetChildrenAsync(path, _ => MarkDirty(), cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
        }
        catch (ReplyTooLargeException)
        {
            // The server set the watch before its reply proved too large; the read that follows says what failed.
        }
    }

    /// <summary>
    /// The controller watch is re-armed and <c>/controller</c> re-read on every event, outside the debounce, so the
    /// history sees each term even when the rest of the snapshot is refreshed later.
    /// </summary>
    private async Task WatchControllerAsync(KafkaPaths paths, CancellationToken cancellationToken)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = _time.GetUtcNow();
        var exists = await _client.ExistsAsync(paths.Controller, _ => fired.TrySetResult(), cancellationToken).ConfigureAwait(false);
        await ObserveControllerAsync(paths, exists is not null, started, cancellationToken).ConfigureAwait(false);
        _ = fired.Task.ContinueWith(_ =>
        {
            MarkDirty();
            if (!_stopping.IsCancellationRequested) _controllerWatch = WatchControllerAsync(paths, _stopping.Token);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task ObserveControllerAsync(KafkaPaths paths, bool exists, DateTimeOffset started, CancellationToken cancellationToken)
    {
        if (!exists)
        {
            History.Observe(null, _time.GetUtcNow(), started);
            return;
        }
        var results = await _client.MultiReadAsync([ReadOperation.GetData(paths.Controller), ReadOperation.GetData(paths.ControllerEpoch)], cancellationToken).ConfigureAwait(false);
        if (results[0] is not DataReadResult data)
        {
            History.Observe(null, _time.GetUtcNow(), started);
            return;
        }
        var epoch = results[1] is DataReadResult e ? KafkaZNodeParser.ControllerEpoch(e.Data) : null;
        var parsed = KafkaZNodeParser.Controller(data.Data).Value;
        History.Observe(new KafkaController(parsed?.BrokerId ?? -1, epoch, data.Stat.CreatedZxid, data.Stat.Created, parsed, null, !data.Stat.IsEphemeral), _time.GetUtcNow(), started);
    }

    /// <summary>One watch per partition state not yet watched (pipelined). Returns how many were armed.</summary>
    private async Task<int> ArmNewStateWatchesAsync(KafkaClusterSnapshot snapshot, CancellationToken cancellationToken)
    {
        var paths = new KafkaPaths(snapshot.Chroot);
        var fresh = new List<string>();
        lock (_watchedStates)
            foreach (var partition in snapshot.AllPartitions)
            {
                var path = paths.PartitionState(partition.Id.Topic, partition.Id.Partition);
                _stateIds[path] = partition.Id;
                if (!_firedStates.Contains(path) && _watchedStates.Add(path)) fresh.Add(path);
            }
        await Task.WhenAll(fresh.Select(path => ArmStateWatchAsync(path, cancellationToken))).ConfigureAwait(false);
        return fresh.Count;
    }

    /// <summary>Fired watches are set again before the read, so a change after it fires is seen by that read or the next event.</summary>
    private async Task RearmFiredStateWatchesAsync(CancellationToken cancellationToken)
    {
        List<string> fired;
        lock (_watchedStates)
        {
            fired = [.. _firedStates];
            _firedStates.Clear();
            foreach (var path in fired) _watchedStates.Add(path);
        }
        await Task.WhenAll(fired.Select(path => ArmStateWatchAsync(path, cancellationToken))).ConfigureAwait(false);
    }

    private Task ArmStateWatchAsync(string path, CancellationToken cancellationToken) =>
        _client.ExistsAsync(path, _ =>
        {
            lock (_watchedStates)
            {
                _watchedStates.Remove(path);
                _firedStates.Add(path);
            }
            MarkStatesDirty();
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
