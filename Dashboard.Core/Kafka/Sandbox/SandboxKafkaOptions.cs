namespace Dashboard.Core.Kafka.Sandbox;

/// <summary>How a sandbox Kafka cluster (brokers imitated in ZooKeeper, no real Kafka) is laid out and behaves.</summary>
public sealed record SandboxKafkaOptions
{
    public int Brokers { get; init; } = 3;

    /// <summary>First broker id; the others follow (1, 2, 3 by default, as Kafka's docs number them).</summary>
    public int FirstBrokerId { get; init; } = 1;

    /// <summary>Kafka chroot: "" for the root, else e.g. "/kafka". Tests use one per test on the shared ensemble.</summary>
    public string Chroot { get; init; } = "/kafka";

    /// <summary>Each broker's ZooKeeper session timeout (Kafka's zookeeper.session.timeout.ms, shorter here).</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>How long a returning replica takes to catch up before it rejoins the ISR.</summary>
    public TimeSpan IsrRejoinDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Seed for Kafka's random start index of replica assignment; null for a random one.</summary>
    public int? AssignmentSeed { get; init; } = 42;

    /// <summary>Rack of each broker id, when set (written into the registration like Kafka's broker.rack).</summary>
    public IReadOnlyDictionary<int, string> Racks { get; init; } = new Dictionary<int, string>();

    public string ClusterId { get; init; } = "SbxK4fkaClusterIdAAAAA";

    internal IEnumerable<int> BrokerIds => Enumerable.Range(FirstBrokerId, Brokers);
}
