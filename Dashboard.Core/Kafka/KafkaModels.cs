namespace Dashboard.Core.Kafka;

/// <summary>A topic and partition number, as Kafka names a partition.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>
/// A broker's <c>/brokers/ids/&lt;id&gt;</c> registration (v1-v5). <see cref="Epoch"/> is the znode's czxid:
/// a new value means the broker restarted.
/// </summary>
public sealed record BrokerRegistration(
    int Id,
    int Version,
    string? Host,
    int Port,
    IReadOnlyList<string> Endpoints,
    IReadOnlyDictionary<string, string> ListenerSecurityProtocols,
    int JmxPort,
    DateTimeOffset? Timestamp,
    string? Rack,
    IReadOnlyDictionary<string, FeatureRange> Features,
    long Epoch);

/// <summary>A supported feature's version range, as a v5 broker advertises it.</summary>
public sealed record FeatureRange(int MinVersion, int MaxVersion);

/// <summary><c>/controller</c> (v1 up to 3.3; v2 adds the KRaft controller epoch during a migration).</summary>
public sealed record ControllerRegistration(int BrokerId, int Version, DateTimeOffset? Timestamp, int? KraftControllerEpoch);

/// <summary>
/// <c>/brokers/topics/&lt;t&gt;</c>: the replica assignment (first replica = preferred leader) and, from v2, a reassignment in
/// progress; from v3 the topic id.
/// </summary>
public sealed record TopicAssignment(
    string Topic,
    int Version,
    string? TopicId,
    IReadOnlyDictionary<int, IReadOnlyList<int>> Partitions,
    IReadOnlyDictionary<int, IReadOnlyList<int>> AddingReplicas,
    IReadOnlyDictionary<int, IReadOnlyList<int>> RemovingReplicas)
{
    public bool ReassignmentInProgress => AddingReplicas.Count > 0 || RemovingReplicas.Count > 0;
}

/// <summary>Kafka's leader recovery state (3.2+); absent in the JSON means recovered.</summary>
public enum LeaderRecoveryState
{
    Recovered = 0,
    Recovering = 1,
}

/// <summary><c>/brokers/topics/&lt;t&gt;/partitions/&lt;p&gt;/state</c>. <see cref="ZkVersion"/> is the znode's version.</summary>
public sealed record PartitionState(
    int Leader,
    int LeaderEpoch,
    IReadOnlyList<int> Isr,
    int ControllerEpoch,
    LeaderRecoveryState RecoveryState,
    int ZkVersion)
{
    public const int NoLeader = -1;
    public bool IsOffline => Leader == NoLeader;
}

/// <summary>A topic or broker config override (<c>/config/topics/&lt;t&gt;</c>, <c>/config/brokers/&lt;id&gt;</c>); values are strings.</summary>
public sealed record EntityConfig(IReadOnlyDictionary<string, string> Values)
{
    public const string MinInsyncReplicasKey = "min.insync.replicas";

    public static EntityConfig Empty { get; } = new(new Dictionary<string, string>());

    /// <summary>The configured min ISR, or null when absent or not a number (Kafka would reject such a config).</summary>
    public int? MinInsyncReplicas =>
        Values.TryGetValue(MinInsyncReplicasKey, out var value) && int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}

/// <summary>A requested reassignment of one partition (<c>/admin/reassign_partitions</c>).</summary>
public sealed record PartitionReassignment(TopicPartition Partition, IReadOnlyList<int> Replicas);

/// <summary>Admin requests waiting for the controller; each is deleted by the controller once done.</summary>
public sealed record PendingAdminRequests(
    IReadOnlyList<TopicPartition>? PreferredElection,
    IReadOnlyList<PartitionReassignment>? Reassignment,
    IReadOnlyList<string> TopicDeletions)
{
    public static PendingAdminRequests None { get; } = new(null, null, []);
}

/// <summary>A znode whose data could not be read as Kafka's format: shown with its raw value, the rest still reads.</summary>
public sealed record UnreadableZNode(string Path, string Raw, string Reason);
