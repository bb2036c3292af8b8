namespace Dashboard.Core.Kafka;

/// <summary>A registered broker (its <c>/brokers/ids/&lt;id&gt;</c> exists); the registration is null when unreadable.</summary>
public sealed record KafkaBroker(int Id, long Epoch, BrokerRegistration? Registration, UnreadableZNode? Unreadable);

/// <summary>
/// The active controller: who, its election epoch, and when its <c>/controller</c> znode was created.
/// <see cref="Persistent"/>: the znode has no owning session, as a KRaft controller writes it during a migration.
/// </summary>
public sealed record KafkaController(int BrokerId, int? Epoch, long Czxid, DateTimeOffset Created, ControllerRegistration? Registration, UnreadableZNode? Unreadable, bool Persistent = false)
{
    /// <summary>A KRaft controller holds <c>/controller</c> (ZooKeeper -> KRaft migration): v2 with <c>kraftControllerEpoch</c> &gt;= 0.</summary>
    public bool IsKraft => Registration?.KraftControllerEpoch is >= 0;
}

/// <summary>
/// One partition: replicas from the topic's assignment and its state znode. <see cref="State"/> is null when the
/// state is missing (the controller has not created it yet) or unreadable (<see cref="Unreadable"/> set).
/// </summary>
public sealed record KafkaPartition(TopicPartition Id, IReadOnlyList<int> Replicas, PartitionState? State, UnreadableZNode? Unreadable)
{
    /// <summary>Kafka's preferred leader is the first replica of the assignment.</summary>
    public int? PreferredLeader => Replicas.Count > 0 ? Replicas[0] : null;
}

/// <summary>A topic; <see cref="Assignment"/> is null (and <see cref="Partitions"/> empty) when its znode is unreadable.</summary>
public sealed record KafkaTopic(
    string Name,
    TopicAssignment? Assignment,
    EntityConfig Config,
    IReadOnlyList<KafkaPartition> Partitions,
    bool MarkedForDeletion,
    UnreadableZNode? Unreadable);

/// <summary>Everything the dashboard reads of one Kafka cluster, at one moment. Immutable.</summary>
public sealed record KafkaClusterSnapshot(
    string Chroot,
    DateTimeOffset ReadAt,
    string? ClusterId,
    KafkaController? Controller,
    int? ControllerEpoch,
    IReadOnlyDictionary<int, KafkaBroker> Brokers,
    IReadOnlyDictionary<string, KafkaTopic> Topics,
    IReadOnlyDictionary<string, EntityConfig> BrokerConfigs,
    PendingAdminRequests Admin,
    IReadOnlyList<UnreadableZNode> Unreadable,
    MigrationRecord? Migration = null)
{
    /// <summary>Where the ZooKeeper -> KRaft migration stands, from <c>/migration</c>, <c>/controller</c> and the registered brokers.</summary>
    public KafkaMigration MigrationStatus => KafkaMigration.Of(this);

    /// <summary>
    /// Whether a partition leader id counts as a live broker. Under a KRaft controller the brokers that moved to KRaft
    /// never register in ZooKeeper, so only "no leader" is known to be offline there.
    /// </summary>
    public bool IsLeaderLive(int leader) =>
        leader != PartitionState.NoLeader && (Brokers.ContainsKey(leader) || Controller is { IsKraft: true });

    /// <summary>Kafka's key for the cluster-wide broker default config.</summary>
    public const string DefaultBrokerConfigKey = "<default>";

    /// <summary>min.insync.replicas of a topic: its override, else the broker default, else Kafka's default of 1.</summary>
    public int MinInsyncReplicas(KafkaTopic topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return topic.Config.MinInsyncReplicas
            ?? (BrokerConfigs.TryGetValue(DefaultBrokerConfigKey, out var defaults) ? defaults.MinInsyncReplicas : null)
            ?? 1;
    }

    public IEnumerable<KafkaPartition> AllPartitions => Topics.Values.SelectMany(t => t.Partitions);
}
