using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Kafka.Sandbox;

/// <summary>
/// The controller role of a sandbox broker, imitating Kafka's ZooKeeper-mode controller: creates partition states
/// for new topics, moves leadership and shrinks ISRs when brokers go, brings offline partitions back and lets
/// returning replicas rejoin ISRs after a delay, runs requested preferred elections and controlled shutdowns.
/// Every state write is fenced by a version check on <c>/controller_epoch</c>, as Kafka does, so a deposed
/// controller cannot overwrite its successor. Runs on its broker's single event loop: no locking here.
/// </summary>
internal sealed class SandboxController(
    ZooKeeperClient client,
    KafkaPaths paths,
    int brokerId,
    int epoch,
    int epochZkVersion,
    SandboxKafkaOptions options,
    Action<Func<CancellationToken, Task>> post)
{
    private readonly KafkaMetadataReader _reader = new(client, paths.Chroot);
    private readonly Dictionary<int, long> _liveEpochs = [];
    private readonly HashSet<int> _shuttingDown = [];
    private bool _rejoinScheduled;

    public int BrokerId => brokerId;

    public int Epoch => epoch;

    /// <summary>Set when a fenced write shows another controller took over: this one stops acting.</summary>
    public bool Deposed { get; private set; }

    /// <summary>Kafka's onControllerFailover: watch everything, then bring every partition in line with the live brokers.</summary>
    public async Task OnElectedAsync(CancellationToken cancellationToken)
    {
        await WatchBrokersAsync(cancellationToken).ConfigureAwait(false);
        await WatchTopicsAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (id, broker) in snapshot.Brokers) _liveEpochs[id] = broker.Epoch;
        await CreateMissingStatesAsync(snapshot, cancellationToken).ConfigureAwait(false);
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
        await OnPreferredElectionAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WatchBrokersAsync(CancellationToken cancellationToken) =>
        await client.GetChildrenAsync(paths.BrokerIds, _ => post(OnBrokersChangedAsync), cancellationToken).ConfigureAwait(false);

    private async Task WatchTopicsAsync(CancellationToken cancellationToken) =>
        await client.GetChildrenAsync(paths.Topics, _ => post(OnTopicsChangedAsync), cancellationToken).ConfigureAwait(false);

    public async Task OnBrokersChangedAsync(CancellationToken cancellationToken)
    {
        if (Deposed) return;
        await WatchBrokersAsync(cancellationToken).ConfigureAwait(false);
        await ReconcileAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task OnTopicsChangedAsync(CancellationToken cancellationToken)
    {
        if (Deposed) return;
        await WatchTopicsAsync(cancellationToken).ConfigureAwait(false);
        await CreateMissingStatesAsync(await _reader.ReadAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Brings every partition in line with the live brokers. A broker whose registration czxid changed bounced:
    /// like Kafka, it is treated as failed (out of ISRs, not leader) and then rejoins like any returning broker.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var live = new HashSet<int>();
        foreach (var (id, broker) in snapshot.Brokers)
        {
            var bounced = _liveEpochs.TryGetValue(id, out var known) && known != broker.Epoch;
            if (!_liveEpochs.ContainsKey(id) || bounced) _shuttingDown.Remove(id);
            if (!bounced) live.Add(id);
            _liveEpochs[id] = broker.Epoch;
        }
        foreach (var gone in _liveEpochs.Keys.Where(id => !snapshot.Brokers.ContainsKey(id)).ToList())
        {
            _liveEpochs.Remove(gone);
            _shuttingDown.Remove(gone);
        }

        var writes = new List<Task>();
        foreach (var partition in snapshot.AllPartitions)
            if (partition.State is { } state && ElectAfterFailure(partition, state, live) is { } target)
                writes.Add(WriteStateAsync(partition.Id, state, target.Leader, target.Isr, state.LeaderEpoch + 1, cancellationToken));
        await Task.WhenAll(writes).ConfigureAwait(false);

        // A bounced broker is live again right away: a second pass brings its offline partitions back.
        if (live.Count != snapshot.Brokers.Count) post(ReconcileAsync);
        ScheduleRejoin();
    }

    /// <summary>
    /// Kafka's OfflineReplica + OnlinePartition transitions: dead replicas leave the ISR (but the last ISR member
    /// stays, so a clean election can bring the partition back with it); the leader stays if alive and in the ISR,
    /// else it is the first assigned replica that is alive and in the ISR, else none (offline). Null: no change.
    /// </summary>
    internal static (int Leader, IReadOnlyList<int> Isr)? ElectAfterFailure(KafkaPartition partition, PartitionState state, IReadOnlySet<int> live)
    {
        IReadOnlyList<int> isr = state.Isr.Where(live.Contains).ToList();
        if (isr.Count == 0 && state.Isr.Count > 0)
            isr = [state.Isr.Contains(state.Leader) ? state.Leader : state.Isr[0]];
        var leader = state.Leader;
        if (leader == PartitionState.NoLeader || !live.Contains(leader) || !isr.Contains(leader))
            leader = partition.Replicas.FirstOrDefault(r => live.Contains(r) && isr.Contains(r), PartitionState.NoLeader);
        return leader == state.Leader && isr.SequenceEqual(state.Isr) ? null : (leader, isr);
    }

    private void ScheduleRejoin()
    {
        if (_rejoinScheduled) return;
        _rejoinScheduled = true;
        _ = Task.Delay(options.IsrRejoinDelay).ContinueWith(_ => post(OnRejoinAsync), TaskScheduler.Default);
    }

    /// <summary>Live replicas out of the ISR of a led partition have caught up by now: the ISR expands (leader epoch unchanged).</summary>
    private async Task OnRejoinAsync(CancellationToken cancellationToken)
    {
        _rejoinScheduled = false;
        if (Deposed) return;
        var snapshot = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var writes = new List<Task>();
        foreach (var partition in snapshot.AllPartitions)
        {
            if (partition.State is not { IsOffline: false } state) continue;
            var joining = partition.Replicas.Where(r => !state.Isr.Contains(r) && _liveEpochs.ContainsKey(r) && !_shuttingDown.Contains(r)).ToList();
            if (joining.Count > 0)
                writes.Add(WriteStateAsync(partition.Id, state, state.Leader, [.. state.Isr, .. joining], state.LeaderEpoch, cancellationToken));
        }
        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    /// <summary>New topics (or ones left without state by a failed controller): leader = first live replica, ISR = live replicas.</summary>
    private async Task CreateMissingStatesAsync(KafkaClusterSnapshot snapshot, CancellationToken cancellationToken)
    {
        var creates = new List<Task>();
        foreach (var topic in snapshot.Topics.Values)
        {
            var missing = topic.Partitions.Where(p => p.State is null && p.Unreadable is null).ToList();
            if (missing.Count == 0) continue;
            await EnsureAsync(paths.Partitions(topic.Name), cancellationToken).ConfigureAwait(false);
            foreach (var partition in missing)
            {
                var isr = partition.Replicas.Where(snapshot.Brokers.ContainsKey).ToList();
                if (isr.Count == 0) continue; // Kafka too refuses to bring a partition online with no live replica.
                creates.Add(CreateStateAsync(partition.Id, isr, cancellationToken));
            }
        }
        await Task.WhenAll(creates).ConfigureAwait(false);
    }

    private async Task CreateStateAsync(TopicPartition id, List<int> isr, CancellationToken cancellationToken)
    {
        await EnsureAsync(paths.Partition(id.Topic, id.Partition), cancellationToken).ConfigureAwait(false);
        await FencedAsync(TransactionOperation.Create(paths.PartitionState(id.Topic, id.Partition), SandboxKafkaJson.PartitionState(isr[0], 0, isr, epoch)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <c>/admin/preferred_replica_election</c> if present, deletes it (as Kafka does, even when invalid) and re-arms the watch.</summary>
    public async Task OnPreferredElectionAsync(CancellationToken cancellationToken)
    {
        if (Deposed) return;
        var exists = await client.ExistsAsync(paths.PreferredReplicaElection, _ => post(OnPreferredElectionAsync), cancellationToken).ConfigureAwait(false);
        if (exists is null) return;
        NodeData request;
        try
        {
            request = await client.GetDataAsync(paths.PreferredReplicaElection, null, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return;
        }
        var wanted = KafkaZNodeParser.PreferredReplicaElection(request.Data).Value?.ToHashSet() ?? [];
        var snapshot = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var writes = new List<Task>();
        foreach (var partition in snapshot.AllPartitions.Where(p => wanted.Contains(p.Id)))
        {
            if (partition.State is not { } state || partition.PreferredLeader is not { } preferred) continue;
            if (state.Leader != preferred && _liveEpochs.ContainsKey(preferred) && state.Isr.Contains(preferred))
                writes.Add(WriteStateAsync(partition.Id, state, preferred, state.Isr, state.LeaderEpoch + 1, cancellationToken));
        }
        await Task.WhenAll(writes).ConfigureAwait(false);
        try
        {
            await client.DeleteAsync(paths.PreferredReplicaElection, -1, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
        }
    }

    /// <summary>
    /// Kafka's controlled shutdown: leadership moves to another live ISR replica and the broker leaves the ISRs;
    /// partitions with no other ISR replica (e.g. replication factor 1) keep it and go offline once it leaves.
    /// </summary>
    public async Task ControlledShutdownAsync(int shuttingDown, CancellationToken cancellationToken)
    {
        _shuttingDown.Add(shuttingDown);
        var snapshot = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var writes = new List<Task>();
        foreach (var partition in snapshot.AllPartitions)
        {
            if (partition.State is not { } state || !partition.Replicas.Contains(shuttingDown)) continue;
            var isr = state.Isr.Where(r => r != shuttingDown).ToList();
            if (isr.Count == 0) continue;
            if (state.Leader == shuttingDown)
            {
                var leader = partition.Replicas.FirstOrDefault(r => r != shuttingDown && isr.Contains(r) && _liveEpochs.ContainsKey(r) && !_shuttingDown.Contains(r), PartitionState.NoLeader);
                if (leader != PartitionState.NoLeader) writes.Add(WriteStateAsync(partition.Id, state, leader, isr, state.LeaderEpoch + 1, cancellationToken));
            }
            else if (isr.Count < state.Isr.Count)
            {
                writes.Add(WriteStateAsync(partition.Id, state, state.Leader, isr, state.LeaderEpoch + 1, cancellationToken));
            }
        }
        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    private async Task WriteStateAsync(TopicPartition id, PartitionState state, int leader, IReadOnlyList<int> isr, int leaderEpoch, CancellationToken cancellationToken)
    {
        var data = SandboxKafkaJson.PartitionState(leader, leaderEpoch, isr, epoch);
        await FencedAsync(TransactionOperation.SetData(paths.PartitionState(id.Topic, id.Partition), data, state.ZkVersion), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One write, fenced by <c>/controller_epoch</c>'s version. A lost race on the partition itself (someone wrote it
    /// meanwhile) is left to the next event, which re-reads.
    /// </summary>
    private async Task FencedAsync(TransactionOperation operation, CancellationToken cancellationToken)
    {
        try
        {
            await client.MultiAsync([TransactionOperation.Check(paths.ControllerEpoch, epochZkVersion), operation], cancellationToken).ConfigureAwait(false);
        }
        catch (TransactionFailedException e) when (e.FailedIndex == 0)
        {
            Deposed = true;
        }
        catch (TransactionFailedException)
        {
        }
    }

    private async Task EnsureAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateAsync(path, Array.Empty<byte>(), CreateMode.Persistent, null, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
        }
    }
}
