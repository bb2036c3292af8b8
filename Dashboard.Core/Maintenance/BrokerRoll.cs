using System.Collections.Immutable;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// What a Kafka broker roll needs from the Kafka side (<see cref="Kafka.KafkaBrokerRollChecks"/> reads it from
/// ZooKeeper). The executor's shape stays the same as for ZooKeeper: checks before each broker, act through a node
/// control, wait.
/// </summary>
public interface IBrokerRollChecks
{
    /// <summary>The broker ids, with the active controller last (re-read before each step: it can move).</summary>
    Task<ImmutableArray<int>> RollOrderAsync(string clusterId, CancellationToken cancellationToken);

    /// <summary>
    /// Whether broker <paramref name="brokerId"/> may be restarted now: zero under-replicated partitions, and
    /// Strimzi's rule per partition with a replica on it (not if |ISR| &lt; minISR, or |ISR| == minISR with the broker
    /// in the ISR and |replicas| &gt; minISR; partitions with |replicas| &lt;= minISR ignored). Each refusal names the
    /// partition (topic-partition), the rule and what would make it pass.
    /// </summary>
    Task<ImmutableArray<MaintenanceCheck>> BeforeRestartAsync(string clusterId, int brokerId, CancellationToken cancellationToken);

    /// <summary>The broker as a node to act on: its id, and host and port from its registration (for command placeholders); null when not registered.</summary>
    Task<NodeDefinition?> BrokerNodeAsync(string clusterId, int brokerId, CancellationToken cancellationToken);

    /// <summary>The broker's epoch (the czxid of <c>/brokers/ids/&lt;id&gt;</c>); a new value means it re-registered.</summary>
    Task<long?> BrokerEpochAsync(string clusterId, int brokerId, CancellationToken cancellationToken);

    /// <summary>What the roll still waits for after a restart: re-registration with a new epoch, zero under-replicated partitions.</summary>
    Task<ImmutableArray<string>> UnmetAfterRestartAsync(string clusterId, int brokerId, long? epochBefore, CancellationToken cancellationToken);

    /// <summary>
    /// A preferred leader election (<c>/admin/preferred_replica_election</c>) for the partitions of one topic, or all,
    /// not led by their preferred replica; refused while one is pending. Used at the end of a roll and by the Kafka page.
    /// </summary>
    Task<Dashboard.Core.Kafka.PreferredElectionResult> RequestPreferredLeaderElectionAsync(string clusterId, string? topic, CancellationToken cancellationToken);

    /// <summary>Whether a preferred leader election request is still waiting for the controller.</summary>
    Task<bool> PreferredElectionPendingAsync(string clusterId, CancellationToken cancellationToken);

    /// <summary>Checks of the whole Kafka cluster before any broker is planned (e.g. no ZooKeeper -> KRaft migration under way).</summary>
    Task<ImmutableArray<MaintenanceCheck>> ClusterChecksAsync(string clusterId, CancellationToken cancellationToken) =>
        Task.FromResult(ImmutableArray<MaintenanceCheck>.Empty);
}
