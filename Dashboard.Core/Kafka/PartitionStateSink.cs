using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Kafka;

/// <summary>
/// The partition states of one topic batch, parsed where the client decodes them (see <see cref="IDataReadSink"/>):
/// each becomes its <see cref="KafkaPartition"/> at once, so a full read keeps no copy of 100,000 values until a
/// batch is complete. States are requested topic by topic; <see cref="Partitions"/> holds one array per topic.
/// </summary>
internal sealed class PartitionStateSink(KafkaPaths paths, ReplicaListPool? pool = null)
{
    private readonly List<TopicPartition> _ids = [];
    private readonly List<IReadOnlyList<int>> _replicas = [];
    // Paths are made per multiRead, not kept for the whole batch: 100,000 strings that outlive a few collections each
    // were a fifth of a full read's allocations and most of what the collector had to copy.
    private readonly KafkaPaths _paths = paths;
    private readonly List<(int Topic, int Position)> _slots = [];
    private readonly List<UnreadableZNode> _unreadable = [];

    public List<KafkaPartition[]> Partitions { get; } = [];

    public int Count => _ids.Count;

    /// <summary>Adds a topic's partitions in assignment order; returns its index in <see cref="Partitions"/>.</summary>
    public int AddTopic(string topic, IReadOnlyDictionary<int, IReadOnlyList<int>> assignment)
    {
        var index = Partitions.Count;
        Partitions.Add(assignment.Count == 0 ? [] : new KafkaPartition[assignment.Count]);
        var position = 0;
        foreach (var (partition, replicas) in assignment)
        {
            _ids.Add(new TopicPartition(topic, partition));
            _replicas.Add(replicas);
            _slots.Add((index, position++));
        }
        return index;
    }

    /// <summary>Reads every state, <paramref name="batchSize"/> per multiRead, all batches in flight at once.</summary>
    public Task ReadAsync(ZooKeeperClient client, int batchSize, CancellationToken cancellationToken)
    {
        var reads = new List<Task>();
        for (var start = 0; start < _ids.Count; start += batchSize)
        {
            var chunk = new string[Math.Min(batchSize, _ids.Count - start)];
            for (var i = 0; i < chunk.Length; i++) chunk[i] = PathOf(start + i);
            reads.Add(client.ReadDataAsync(chunk, new Chunk(this, start), cancellationToken));
        }
        return Task.WhenAll(reads);
    }

    /// <summary>States that could not be read or parsed, in no particular order.</summary>
    public IReadOnlyList<UnreadableZNode> Unreadable => _unreadable;

    private void Read(int index, ReadOnlySpan<byte> data, int version)
    {
        var state = KafkaZNodeParser.TryPartitionState(data, version, out var error, pool);
        Place(index, state, error is null ? null : Record(new UnreadableZNode(PathOf(index), KafkaZNodeParser.Raw(data), error)));
    }

    /// <summary>Gone (the controller has not created it yet, or the topic is going): no state, nothing unreadable.</summary>
    private void Failed(int index, ErrorCode code, string? detail) =>
        Place(index, null, code == ErrorCode.NoNode ? null : Record(new UnreadableZNode(PathOf(index), "", detail ?? $"could not be read: {code}")));

    private string PathOf(int index) => _paths.PartitionState(_ids[index].Topic, _ids[index].Partition);

    private void Place(int index, PartitionState? state, UnreadableZNode? bad)
    {
        var (topic, position) = _slots[index];
        Partitions[topic][position] = new KafkaPartition(_ids[index], _replicas[index], state, bad);
    }

    private UnreadableZNode Record(UnreadableZNode item)
    {
        // After a fallback to single reads, values arrive from several threads.
        lock (_unreadable) _unreadable.Add(item);
        return item;
    }

    private sealed class Chunk(PartitionStateSink owner, int offset) : IDataReadSink
    {
        public void Read(int index, ReadOnlySpan<byte> data, int version) => owner.Read(offset + index, data, version);

        public void Failed(int index, ErrorCode code, string? detail) => owner.Failed(offset + index, code, detail);
    }
}
