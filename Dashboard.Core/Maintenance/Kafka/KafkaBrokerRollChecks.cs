using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Maintenance.Kafka;

/// <summary>
/// The broker roll's view of one Kafka cluster, read afresh from ZooKeeper for every question: a roll acts on
/// nothing older than its own read (the monitor's snapshot can lag by a poll interval).
/// </summary>
public sealed class KafkaBrokerRollChecks(ZooKeeperClient client, KafkaMetadataReader reader) : IBrokerRollChecks
{
    public const string BrokerRegistered = "broker-registered";
    public const string BrokersPresent = "brokers-present";
    public const string PreferredElection = "preferred-election";
    public const string NoMigration = "no-kraft-migration";

    public Task<KafkaClusterSnapshot> ReadAsync(CancellationToken cancellationToken) => reader.ReadAsync(cancellationToken);

    public async Task<ImmutableArray<int>> RollOrderAsync(string clusterId, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var controller = snapshot.Controller?.BrokerId;
        return [.. snapshot.Brokers.Keys.OrderBy(id => id == controller ? 1 : 0).ThenBy(id => id)];
    }

    public async Task<ImmutableArray<MaintenanceCheck>> ClusterChecksAsync(string clusterId, CancellationToken cancellationToken) =>
        [MigrationCheck(await ReadAsync(cancellationToken).ConfigureAwait(false))];

    public async Task<ImmutableArray<MaintenanceCheck>> BeforeRestartAsync(string clusterId, int brokerId, CancellationToken cancellationToken) =>
        Before(await ReadAsync(cancellationToken).ConfigureAwait(false), brokerId);

    /// <summary>The checks before restarting a broker, over one snapshot: registered, no broker missing, no under-replicated partition, Strimzi's rule.</summary>
    public static ImmutableArray<MaintenanceCheck> Before(KafkaClusterSnapshot snapshot, int brokerId)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var name = $"broker {brokerId.ToString(CultureInfo.InvariantCulture)}";
        var checks = ImmutableArray.CreateBuilder<MaintenanceCheck>();
        checks.Add(MigrationCheck(snapshot));
        checks.Add(snapshot.Brokers.ContainsKey(brokerId)
            ? new(BrokerRegistered, name, true, $"registered (epoch {snapshot.Brokers[brokerId].Epoch})")
            : new(BrokerRegistered, name, false, "has no /brokers/ids registration: it is down or unknown", $"start {name}, or choose one of {string.Join(", ", snapshot.Brokers.Keys.Order())}"));
        var missing = snapshot.AllPartitions.SelectMany(p => p.Replicas).Distinct().Where(id => !snapshot.Brokers.ContainsKey(id)).Order().ToList();
        checks.Add(missing.Count == 0
            ? new(BrokersPresent, "cluster", true, $"all {snapshot.Brokers.Count} broker(s) holding replicas are registered")
            : new(BrokersPresent, string.Join(", ", missing.Select(id => $"broker {id}")), false, "holds replicas but is not registered (stopped or dead)",
                "start the missing broker(s) first: a roll takes one broker away at a time from a whole cluster"));
        var partitions = PartitionReplicas.From(snapshot).ToList();
        checks.AddRange(BrokerRestartRule.NoneUnderReplicated(partitions));
        checks.AddRange(BrokerRestartRule.Judge(brokerId, partitions));
        return checks.ToImmutable();
    }

    /// <summary>
    /// A roll is refused during a ZooKeeper -> KRaft migration: the checks read the ZooKeeper side only, while the KRaft
    /// controller decides leaders and ISRs (and in dual-write the brokers are not in ZooKeeper at all), and the migration
    /// has its own restart order (controllers, then brokers, each reconfigured).
    /// </summary>
    public static MaintenanceCheck MigrationCheck(KafkaClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var migration = snapshot.MigrationStatus;
        return migration.Phase == MigrationPhase.NotStarted
            ? new(NoMigration, "cluster", true, "no ZooKeeper -> KRaft migration (no /migration, ZooKeeper controller)")
            : new(NoMigration, "cluster", false,
                $"a ZooKeeper -> KRaft migration is under way ({migration.Summary}): ZooKeeper no longer shows which brokers are safe to restart",
                $"follow the migration's own procedure (next: {migration.NextCheck}), or finish or roll back the migration first");
    }

    public async Task<NodeDefinition?> BrokerNodeAsync(string clusterId, int brokerId, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (!snapshot.Brokers.TryGetValue(brokerId, out var broker)) return null;
        var registration = broker.Registration;
        return new NodeDefinition(registration?.Host ?? $"broker-{brokerId}", registration?.Port is { } port and > 0 ? port : 0) { Id = brokerId };
    }

    public async Task<long?> BrokerEpochAsync(string clusterId, int brokerId, CancellationToken cancellationToken) =>
        (await ReadAsync(cancellationToken).ConfigureAwait(false)).Brokers.TryGetValue(brokerId, out var broker) ? broker.Epoch : null;

    public async Task<ImmutableArray<string>> UnmetAfterRestartAsync(string clusterId, int brokerId, long? epochBefore, CancellationToken cancellationToken) =>
        Unmet(await ReadAsync(cancellationToken).ConfigureAwait(false), brokerId, epochBefore);

    /// <summary>What the roll still waits for after restarting a broker; empty when it may go on (after the settle period).</summary>
    public static ImmutableArray<string> Unmet(KafkaClusterSnapshot snapshot, int brokerId, long? epochBefore)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var unmet = ImmutableArray.CreateBuilder<string>();
        if (!snapshot.Brokers.TryGetValue(brokerId, out var broker)) unmet.Add($"broker {brokerId} has not re-registered yet");
        else if (epochBefore is { } before && broker.Epoch == before) unmet.Add($"broker {brokerId} still has its old epoch {before} (it has not restarted)");
        if (snapshot.Controller is null) unmet.Add("no active controller");
        var under = PartitionReplicas.From(snapshot).Where(p => p.UnderReplicated).Select(p => p.Id.ToString()).ToList();
        if (under.Count > 0) unmet.Add($"{under.Count} under-replicated partition(s): {string.Join(", ", under.Take(5))}{(under.Count > 5 ? ", ..." : "")}");
        return unmet.ToImmutable();
    }

    /// <summary>Writes <c>/admin/preferred_replica_election</c> for the partitions off their preferred leader; refused while one is pending (Kafka's tool does the same).</summary>
    public async Task<PreferredElectionResult> RequestPreferredLeaderElectionAsync(string clusterId, string? topic, CancellationToken cancellationToken) =>
        await PreferredLeaderElection.RequestAsync(client, await ReadAsync(cancellationToken).ConfigureAwait(false), topic, cancellationToken).ConfigureAwait(false);

    /// <summary>A request nobody will process (a KRaft controller holds /controller) is not "pending": waiting for it would block every later step.</summary>
    public async Task<bool> PreferredElectionPendingAsync(string clusterId, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
        return snapshot.Admin.PreferredElection is not null && PreferredLeaderElection.Unprocessable(snapshot) is null;
    }
}
