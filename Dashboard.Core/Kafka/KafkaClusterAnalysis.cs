using System.Runtime.InteropServices;

namespace Dashboard.Core.Kafka;

/// <summary>
/// A partition's health flags, as Kafka 3.9 counts them (<c>TopicCommand.PartitionDescription</c>, <c>ControllerContext</c>).
/// <see cref="ReplicationFactor"/> is the replicas minus those still being added (during a reassignment the list is
/// target + origin). <see cref="Offline"/>: no leader, or a leader that is not a registered broker.
/// </summary>
public sealed record PartitionHealth(
    KafkaPartition Partition,
    int MinInsyncReplicas,
    bool UnderReplicated,
    bool Offline,
    bool UnderMinIsr,
    bool OnPreferredLeader)
{
    public int ReplicationFactor { get; init; } = Partition.Replicas.Count;
    public IReadOnlyList<int> AddingReplicas { get; init; } = [];
    public IReadOnlyList<int> RemovingReplicas { get; init; } = [];

    /// <summary>Its topic is queued for deletion: Kafka leaves it out of the offline count and the preferred-leader imbalance.</summary>
    public bool QueuedForDeletion { get; init; }

    public bool Reassigning => AddingReplicas.Count > 0 || RemovingReplicas.Count > 0;

    /// <summary>Replicas assigned but out of the ISR (highlighted in the table).</summary>
    public IEnumerable<int> OutOfSyncReplicas =>
        Partition.State is { } state ? Partition.Replicas.Where(r => !state.Isr.Contains(r)) : [];
}

public enum BrokerStatus
{
    Alive,

    /// <summary>Replicas are assigned to it but it has no registration: stopped or dead.</summary>
    Missing,

    /// <summary>Not registered in ZooKeeper while a KRaft controller holds the metadata: a KRaft broker never registers there.</summary>
    KraftManaged,
}

/// <summary>
/// One broker. <see cref="UnderReplicatedLed"/> is Kafka's own <c>UnderReplicatedPartitions</c> metric: under-replicated
/// partitions this broker leads. <see cref="UnderReplicatedReplicas"/>: under-replicated partitions with a replica on it.
/// </summary>
public sealed record BrokerHealth(
    int Id,
    BrokerStatus Status,
    bool IsController,
    KafkaBroker? Broker,
    int PartitionsLed,
    int ReplicasHeld,
    int UnderReplicatedLed,
    int UnderReplicatedReplicas);

/// <summary>
/// A topic. <see cref="PreferredLeaderShare"/> is null when it cannot be known: the topic is unreadable, no partition
/// has a readable state, or it is queued for deletion (Kafka leaves those out of the imbalance).
/// </summary>
public sealed record TopicHealth(
    string Name,
    int Partitions,
    int ReplicationFactor,
    int UnderReplicated,
    int Offline,
    int UnderMinIsr,
    double? PreferredLeaderShare,
    bool ReassignmentInProgress,
    bool MarkedForDeletion,
    bool Unreadable)
{
    public int Reassigning { get; init; }
}

/// <summary>What a snapshot means: per partition, broker and topic. Computed once, immutable.</summary>
public sealed record KafkaClusterAnalysis(
    IReadOnlyList<PartitionHealth> Partitions,
    IReadOnlyList<BrokerHealth> Brokers,
    IReadOnlyList<TopicHealth> Topics)
{
    public int UnderReplicatedCount => Partitions.Count(p => p.UnderReplicated);

    /// <summary>Kafka's <c>OfflinePartitionsCount</c>: topics queued for deletion are left out.</summary>
    public int OfflineCount => Partitions.Count(p => p.Offline && !p.QueuedForDeletion);

    public int UnderMinIsrCount => Partitions.Count(p => p.UnderMinIsr);

    public int ReassigningCount => Partitions.Count(p => p.Reassigning);

    /// <summary>Partitions not led by their preferred replica, as Kafka's <c>PreferredReplicaImbalanceCount</c> counts them.</summary>
    public int OffPreferredCount => Partitions.Count(p => p.Partition.State is not null && !p.QueuedForDeletion && !p.OnPreferredLeader);

    public static KafkaClusterAnalysis Analyze(KafkaClusterSnapshot snapshot) => Analyze(snapshot, null, null);

    /// <summary>
    /// As <see cref="Analyze(KafkaClusterSnapshot)"/>, reusing <paramref name="previous"/>'s results for every topic whose
    /// record is unchanged, when what the rules read beside the topic (brokers, broker configs, controller) is the very
    /// same: a state-only refresh (one ISR change of 100,000 partitions) then assesses one topic, not all of them.
    /// </summary>
    public static KafkaClusterAnalysis Analyze(KafkaClusterSnapshot snapshot, KafkaClusterSnapshot? previousSnapshot, KafkaClusterAnalysis? previous)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var reusable = previous is not null && previousSnapshot is not null
            && ReferenceEquals(previousSnapshot.Brokers, snapshot.Brokers)
            && ReferenceEquals(previousSnapshot.BrokerConfigs, snapshot.BrokerConfigs)
            && ReferenceEquals(previousSnapshot.Controller, snapshot.Controller);
        var earlier = reusable ? Index(previousSnapshot!, previous!) : null;
        var ordered = snapshot.Topics.Values.ToArray();
        Array.Sort(ordered, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var partitions = new List<PartitionHealth>(earlier is null ? 0 : previous!.Partitions.Count);
        var topics = new List<TopicHealth>(ordered.Length);
        Func<int, bool> isLeaderLive = snapshot.IsLeaderLive;
        foreach (var topic in ordered)
        {
            if (earlier is not null && earlier.TryGetValue(topic.Name, out var known) && ReferenceEquals(known.Topic, topic))
            {
                for (var i = 0; i < known.Count; i++) partitions.Add(previous!.Partitions[known.Start + i]);
                topics.Add(known.Health);
                continue;
            }
            topics.Add(AssessTopic(topic, snapshot.MinInsyncReplicas(topic), isLeaderLive, partitions));
        }
        return new KafkaClusterAnalysis(partitions, BrokersOf(snapshot, partitions), topics);
    }

    private static TopicHealth AssessTopic(KafkaTopic topic, int minIsr, Func<int, bool> isLeaderLive, List<PartitionHealth> partitions)
    {
        int under = 0, offline = 0, underMin = 0, preferred = 0, withState = 0, reassigning = 0, rf = 0;
        foreach (var partition in topic.Partitions)
        {
            var health = Assess(partition, minIsr, topic.Assignment, topic.MarkedForDeletion, isLeaderLive);
            partitions.Add(health);
            under += health.UnderReplicated ? 1 : 0;
            offline += health.Offline ? 1 : 0;
            underMin += health.UnderMinIsr ? 1 : 0;
            reassigning += health.Reassigning ? 1 : 0;
            rf = Math.Max(rf, health.ReplicationFactor);
            if (partition.State is not null)
            {
                withState++;
                preferred += health.OnPreferredLeader ? 1 : 0;
            }
        }
        double? share = topic.Unreadable is not null || topic.MarkedForDeletion || withState == 0 ? null : (double)preferred / withState;
        return new TopicHealth(topic.Name, topic.Partitions.Count, rf, under, offline, underMin, share,
            topic.Assignment?.ReassignmentInProgress ?? false, topic.MarkedForDeletion, topic.Unreadable is not null) { Reassigning = reassigning };
    }

    /// <summary>Where each topic's partitions sit in an earlier analysis (topics in name order, partitions after one another).</summary>
    private static Dictionary<string, (KafkaTopic Topic, TopicHealth Health, int Start, int Count)>? Index(KafkaClusterSnapshot snapshot, KafkaClusterAnalysis analysis)
    {
        var index = new Dictionary<string, (KafkaTopic, TopicHealth, int, int)>(analysis.Topics.Count, StringComparer.Ordinal);
        var start = 0;
        foreach (var health in analysis.Topics)
        {
            // An analysis not made from this snapshot (or from a topic count that disagrees) is not reused at all.
            if (!snapshot.Topics.TryGetValue(health.Name, out var topic) || topic.Partitions.Count != health.Partitions) return null;
            index[health.Name] = (topic, health, start, health.Partitions);
            start += health.Partitions;
        }
        return start == analysis.Partitions.Count ? index : null;
    }

    /// <summary>Per broker: what it leads and holds, counted over every partition (cheap: no allocation per partition).</summary>
    private static List<BrokerHealth> BrokersOf(KafkaClusterSnapshot snapshot, List<PartitionHealth> partitions)
    {
        var led = new Dictionary<int, int>();
        var held = new Dictionary<int, int>();
        var underLed = new Dictionary<int, int>();
        var underHeld = new Dictionary<int, int>();
        foreach (var health in partitions)
        {
            var partition = health.Partition;
            // By index: an enumerator of an IReadOnlyList is one allocation per partition.
            for (var r = 0; r < partition.Replicas.Count; r++)
            {
                var replica = partition.Replicas[r];
                CollectionsMarshal.GetValueRefOrAddDefault(held, replica, out _)++;
                if (health.UnderReplicated) CollectionsMarshal.GetValueRefOrAddDefault(underHeld, replica, out _)++;
            }
            // A leader that is not a live broker leads nothing (the partition is offline).
            if (partition.State is { } state && !health.Offline)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(led, state.Leader, out _)++;
                if (health.UnderReplicated) CollectionsMarshal.GetValueRefOrAddDefault(underLed, state.Leader, out _)++;
            }
        }

        var kraft = snapshot.Controller is { IsKraft: true };
        var ids = snapshot.Brokers.Keys.Concat(held.Keys).Distinct().Order();
        return ids.Select(id => new BrokerHealth(id,
            snapshot.Brokers.ContainsKey(id) ? BrokerStatus.Alive : kraft ? BrokerStatus.KraftManaged : BrokerStatus.Missing,
            snapshot.Controller?.BrokerId == id,
            snapshot.Brokers.GetValueOrDefault(id),
            led.GetValueOrDefault(id), held.GetValueOrDefault(id), underLed.GetValueOrDefault(id), underHeld.GetValueOrDefault(id))).ToList();
    }

    /// <summary>
    /// Kafka's rules for one partition. A partition without a readable state is counted as neither healthy nor offline:
    /// the table shows it as unreadable rather than guessing. <paramref name="isLeaderLive"/>: is this leader id a
    /// registered broker (see <see cref="KafkaClusterSnapshot.IsLeaderLive"/>); null treats every leader but -1 as live.
    /// </summary>
    public static PartitionHealth Assess(KafkaPartition partition, int minInsyncReplicas, TopicAssignment? assignment = null,
        bool queuedForDeletion = false, Func<int, bool>? isLeaderLive = null)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var replicas = partition.Replicas;
        var adding = Changing(assignment?.AddingReplicas, partition.Id.Partition, replicas);
        var removing = Changing(assignment?.RemovingReplicas, partition.Id.Partition, replicas);
        var rf = replicas.Count - adding.Count;
        if (partition.State is not { } state)
            return new PartitionHealth(partition, minInsyncReplicas, false, false, false, false)
            { ReplicationFactor = rf, AddingReplicas = adding, RemovingReplicas = removing, QueuedForDeletion = queuedForDeletion };
        var offline = state.Leader == PartitionState.NoLeader || (isLeaderLive is not null && !isLeaderLive(state.Leader));
        return new PartitionHealth(partition, minInsyncReplicas,
            UnderReplicated: rf - state.Isr.Count > 0,
            Offline: offline,
            UnderMinIsr: offline || state.Isr.Count < minInsyncReplicas,
            OnPreferredLeader: HasPreferredLeader(replicas, adding, state))
        { ReplicationFactor = rf, AddingReplicas = adding, RemovingReplicas = removing, QueuedForDeletion = queuedForDeletion };
    }

    /// <summary>
    /// Kafka's <c>hasPreferredLeader</c>: the leader is the first replica, except while that replica is still being added,
    /// when the partition counts as balanced until the new replica joins the ISR.
    /// </summary>
    public static bool HasPreferredLeader(IReadOnlyList<int> replicas, IReadOnlyList<int> adding, PartitionState state)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(adding);
        ArgumentNullException.ThrowIfNull(state);
        if (replicas.Count == 0) return false;
        var preferred = replicas[0];
        return adding.Contains(preferred) ? !state.Isr.Contains(preferred) : state.Leader == preferred;
    }

    /// <summary>Adding/removing replicas of one partition; only those still in the replica list (as TopicCommand checks), so a finished reassignment is not counted.</summary>
    private static IReadOnlyList<int> Changing(IReadOnlyDictionary<int, IReadOnlyList<int>>? map, int partition, IReadOnlyList<int> replicas) =>
        map is not null && map.TryGetValue(partition, out var list) && list.Count > 0 ? list.Where(replicas.Contains).ToList() : Array.Empty<int>();
}
