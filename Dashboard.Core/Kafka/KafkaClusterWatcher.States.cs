using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Kafka;

/// <summary>
/// The partial refresh: when only partition-state watches fired (an ISR shrink or expand, a leader change), those
/// states alone are re-read and patched into the current snapshot. One ISR change of 100,000 partitions costs one small
/// multiRead instead of a full read.
/// </summary>
public sealed partial class KafkaClusterWatcher
{
    private readonly Dictionary<string, TopicPartition> _stateIds = new(StringComparer.Ordinal);

    /// <summary>Partial refreshes done (for tests and the benchmark: they prove no full read was needed).</summary>
    public int StateRefreshes { get; private set; }

    /// <summary>False when a full read is needed instead (a state vanished, or a partition is not in the snapshot).</summary>
    private async Task<bool> RefreshStatesAsync(CancellationToken cancellationToken)
    {
        if (!_options.WatchPartitionStates || Current is not { } current) return false;
        List<string> fired;
        lock (_watchedStates) fired = [.. _firedStates];
        if (fired.Count == 0) return true; // a state watch fired and was handled by a full read in between
        // Set again before reading, so a change after this read fires again.
        await RearmFiredStateWatchesAsync(cancellationToken).ConfigureAwait(false);
        var readStarted = _time.GetUtcNow();
        var results = await _client.MultiReadAsync(fired.Select(ReadOperation.GetData).ToList(), cancellationToken).ConfigureAwait(false);

        var changed = new Dictionary<string, Dictionary<int, (PartitionState? State, UnreadableZNode? Bad)>>(StringComparer.Ordinal);
        for (var i = 0; i < fired.Count; i++)
        {
            TopicPartition id;
            lock (_watchedStates)
                if (!_stateIds.TryGetValue(fired[i], out id)) return false;
            PartitionState? state = null;
            UnreadableZNode? bad = null;
            switch (results[i])
            {
                case DataReadResult data:
                    var parsed = KafkaZNodeParser.PartitionState(data.Data, data.Stat.Version);
                    state = parsed.Value;
                    if (!parsed.IsReadable) bad = new UnreadableZNode(fired[i], KafkaZNodeParser.Raw(data.Data), parsed.Error!);
                    break;
                case ErrorResult { Code: ErrorCode.NoNode }:
                    return false; // the topic is being deleted: the structure changed
                case ErrorResult error:
                    bad = new UnreadableZNode(fired[i], "", error.Detail ?? $"could not be read: {error.Code}");
                    break;
            }
            if (!changed.TryGetValue(id.Topic, out var byPartition)) changed[id.Topic] = byPartition = [];
            byPartition[id.Partition] = (state, bad);
        }

        var topics = new Dictionary<string, KafkaTopic>(current.Topics, StringComparer.Ordinal);
        var replacedPaths = new HashSet<string>(fired, StringComparer.Ordinal);
        var unreadable = current.Unreadable.Where(u => !replacedPaths.Contains(u.Path)).ToList();
        foreach (var (name, byPartition) in changed)
        {
            if (!topics.TryGetValue(name, out var topic)) return false;
            var partitions = topic.Partitions.ToArray();
            var patched = 0;
            for (var i = 0; i < partitions.Length; i++)
                if (byPartition.TryGetValue(partitions[i].Id.Partition, out var now))
                {
                    partitions[i] = partitions[i] with { State = now.State, Unreadable = now.Bad };
                    if (now.Bad is not null) unreadable.Add(now.Bad);
                    patched++;
                }
            if (patched != byPartition.Count) return false;
            topics[name] = topic with { Partitions = partitions };
        }
        var snapshot = current with { Topics = topics, ReadAt = _time.GetUtcNow(), Unreadable = unreadable };
        StateRefreshes++;
        Publish(current, snapshot, readStarted, observeController: false);
        return true;
    }
}
