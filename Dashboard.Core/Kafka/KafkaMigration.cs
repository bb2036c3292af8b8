namespace Dashboard.Core.Kafka;

/// <summary>
/// <c>/migration</c> (Kafka 3.4+): the KRaft controller's progress in copying ZooKeeper's metadata. Kafka creates it
/// with -1 in every field and the KRaft controller updates it. <see cref="ZkVersion"/> is the znode's version.
/// </summary>
public sealed record MigrationRecord(int Version, int KraftControllerId, int KraftControllerEpoch, long KraftMetadataOffset, int KraftMetadataEpoch, int ZkVersion)
{
    /// <summary>The KRaft controller has recorded its metadata position: the metadata was migrated at least once.</summary>
    public bool MetadataMigrated => KraftMetadataOffset >= 0;
}

public enum MigrationPhase
{
    /// <summary>No <c>/migration</c> and a ZooKeeper controller (or none): a plain ZooKeeper-mode cluster.</summary>
    NotStarted,

    /// <summary>A migration has begun and ZooKeeper brokers are still registered under <c>/brokers/ids</c>.</summary>
    Migrating,

    /// <summary>A KRaft controller holds <c>/controller</c> and no broker is registered in ZooKeeper: every broker moved to KRaft.</summary>
    DualWrite,
}

/// <summary>What the page says about the ZooKeeper -> KRaft migration, and what an operator should look at next.</summary>
public sealed record KafkaMigration(MigrationPhase Phase, int? KraftControllerId, int? KraftControllerEpoch, MigrationRecord? Record, string Summary, string NextCheck)
{
    /// <summary>A KRaft controller holds the metadata: ZooKeeper-side requests (elections, reassignments) have no reader.</summary>
    public bool KraftControllerActive { get; init; }

    public static KafkaMigration Of(KafkaClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var record = snapshot.Migration;
        var kraft = snapshot.Controller is { IsKraft: true } c ? c : null;
        var id = kraft?.BrokerId ?? (record is { KraftControllerId: >= 0 } r ? r.KraftControllerId : null);
        var epoch = kraft?.Registration?.KraftControllerEpoch ?? (record is { KraftControllerEpoch: >= 0 } e ? e.KraftControllerEpoch : null);
        if (kraft is null && record is null)
            return new(MigrationPhase.NotStarted, null, null, null, "not started: ZooKeeper mode", "nothing: no /migration and no KRaft controller");
        if (kraft is null)
            return new(MigrationPhase.Migrating, id, epoch, record,
                snapshot.Controller is { } zk
                    ? $"/migration exists but ZooKeeper broker {zk.BrokerId} is the controller"
                    : "/migration exists but no controller holds /controller",
                "whether the KRaft controllers are running with zookeeper.metadata.migration.enable=true and every ZooKeeper broker has it too (the KRaft controller takes /controller once all have registered); or whether the migration was rolled back");
        var brokers = snapshot.Brokers.Count;
        if (brokers > 0)
            return new(MigrationPhase.Migrating, id, epoch, record,
                $"migrating: KRaft controller {kraft.BrokerId} (KRaft epoch {epoch}) holds /controller; {brokers} ZooKeeper broker(s) still registered",
                record is { MetadataMigrated: true }
                    ? "restart the ZooKeeper brokers as KRaft brokers one at a time; each leaves /brokers/ids when it does"
                    : "whether the KRaft controller finished copying the metadata (kraft_metadata_offset in /migration is still -1)")
            { KraftControllerActive = true };
        return new(MigrationPhase.DualWrite, id, epoch, record,
            $"dual-write: KRaft controller {kraft.BrokerId} (KRaft epoch {epoch}) holds the metadata and writes it back to ZooKeeper; no broker is registered in ZooKeeper (KRaft brokers never are)",
            "the KRaft controllers' logs and metrics (ZkWriteBehindLag); then finish the migration by restarting the controllers without zookeeper.connect")
        { KraftControllerActive = true };
    }
}
