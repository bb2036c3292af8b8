namespace Dashboard.Core.Kafka;

/// <summary>A partition's health flags, as the ISR table shows them.</summary>
public sealed record PartitionHealth(
    KafkaPartition Partition,
    int MinInsyncReplicas,
    bool UnderReplicated,
    bool Offline,
    bool UnderMinIsr,
    bool OnPreferredLeader)
{
    /// <summary>Replicas assigned but out of the ISR (highlighted in the table).</summary>
    public IEnumerable<int> OutOfSyncReplicas =>
        Partition.State is { } state ? Partition.Replicas.Where(r => !state.Isr.Contains(r)) : [];
}

public enum BrokerStatus
{
    Alive,

    /// <summary>Replicas are assigned to it but it has no registration: stopped or dead.</summary>
    Missing,
}

public sealed record BrokerHealth(
    int Id,
    BrokerStatus Status,
    bool IsController,
    KafkaBroker? Broker,
    int PartitionsLed,
    int ReplicasHeld,
    int UnderReplicatedInvolving);

public sealed record TopicHealth(
    string Name,
    int Partitions,
    int ReplicationFactor,
    int UnderReplicated,
    int Offline,
    int UnderMinIsr,
    double PreferredLeaderShare,
    bool ReassignmentInProgress,
    bool MarkedForDeletion,
    bool Unreadable);

/// <summary>What a snapshot means: per partition, broker and topic. Computed once, immutable.</summary>
public sealed record KafkaClusterAnalysis(
    IReadOnlyList<PartitionHealth> Partitions,
    IReadOnlyList<BrokerHealth> Brokers,
    IReadOnlyList<TopicHealth> Topics)
{
    public int UnderReplicatedCount => Partitions.Count(p => p.UnderReplicated);
    public int OfflineCount => Partitions.Count(p => p.Offline);
    public int UnderMinIsrCount => Partitions.Count(p => p.UnderMinIsr);

    public static KafkaClusterAnalysis Analyze(KafkaClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var partitions = new List<PartitionHealth>();
        var topics = new List<TopicHealth>();
        var led = new Dictionary<int, int>();
        var held = new Dictionary<int, int>();
        var underReplicatedBy = new Dictionary<int, int>();
        foreach (var topic in snapshot.Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var minIsr = snapshot.MinInsyncReplicas(topic);
            int under = 0, offline = 0, underMin = 0, preferred = 0;
            foreach (var partition in topic.Partitions)
            {
                var health = Assess(partition, minIsr);
                partitions.Add(health);
                under += health.UnderReplicated ? 1 : 0;
                offline += health.Offline ? 1 : 0;
                underMin += health.UnderMinIsr ? 1 : 0;
                preferred += health.OnPreferredLeader ? 1 : 0;
                foreach (var replica in partition.Replicas)
                {
                    held[replica] = held.GetValueOrDefault(replica) + 1;
                    if (health.UnderReplicated) underReplicatedBy[replica] = underReplicatedBy.GetValueOrDefault(replica) + 1;
                }
                if (partition.State is { IsOffline: false } state) led[state.Leader] = led.GetValueOrDefault(state.Leader) + 1;
            }
            var count = topic.Partitions.Count;
            topics.Add(new TopicHealth(topic.Name, count, count == 0 ? 0 : topic.Partitions.Max(p => p.Replicas.Count),
                under, offline, underMin, count == 0 ? 1 : (double)preferred / count,
                topic.Assignment?.ReassignmentInProgress ?? false, topic.MarkedForDeletion, topic.Unreadable is not null));
        }

        var ids = snapshot.Brokers.Keys.Concat(held.Keys).Distinct().Order();
        var brokers = ids.Select(id => new BrokerHealth(id,
            snapshot.Brokers.ContainsKey(id) ? BrokerStatus.Alive : BrokerStatus.Missing,
            snapshot.Controller?.BrokerId == id,
            snapshot.Brokers.GetValueOrDefault(id),
            led.GetValueOrDefault(id), held.GetValueOrDefault(id), underReplicatedBy.GetValueOrDefault(id))).ToList();
        return new KafkaClusterAnalysis(partitions, brokers, topics);
    }

    /// <summary>
    /// A partition without a readable state is counted as neither healthy nor offline: the table shows it as
    /// unreadable rather than guessing.
    /// </summary>
    public static PartitionHealth Assess(KafkaPartition partition, int minInsyncReplicas)
    {
        ArgumentNullException.ThrowIfNull(partition);
        if (partition.State is not { } state) return new PartitionHealth(partition, minInsyncReplicas, false, false, false, false);
        return new PartitionHealth(partition, minInsyncReplicas,
            UnderReplicated: state.Isr.Count < partition.Replicas.Count,
            Offline: state.IsOffline,
            UnderMinIsr: state.Isr.Count < minInsyncReplicas,
            OnPreferredLeader: !state.IsOffline && state.Leader == partition.PreferredLeader);
    }
}
