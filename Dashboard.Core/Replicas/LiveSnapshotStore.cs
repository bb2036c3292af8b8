using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Core.Replicas;

/// <summary>A snapshot as the lease holder published it: the cluster, under which lease, when it was taken, its version and JSON.</summary>
public sealed record LiveSnapshotRow(string ClusterId, string Holder, long Epoch, long TakenMs, long Version, string Json);

/// <summary>A snapshot this replica publishes for a cluster whose lease it holds under <paramref name="Epoch"/>.</summary>
public sealed record LiveSnapshotPublish(string ClusterId, long Epoch, long TakenMs, string Json);

/// <summary>
/// The shared live state of replicas on one PostgreSQL: one row per cluster with the lease holder's newest snapshot,
/// so the replicas that do not poll a cluster show it live (<c>live_snapshots</c>, an unlogged table). Each upsert
/// takes the next value of one sequence as its version, and followers read only rows newer than the last they saw.
/// </summary>
public sealed class LiveSnapshotStore(HistoryDatabase database)
{
    private const string DatabaseNowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    /// <summary>A publish or read that takes longer is given up: the next round carries newer snapshots anyway.</summary>
    private const int CommandTimeoutSeconds = 5;

    /// <summary>
    /// Publishes all of <paramref name="snapshots"/> in one statement; returns how many landed. A snapshot lands only
    /// where the cluster's lease row still names this holder and epoch (a holder that lost its lease publishes
    /// nothing), and never over a row of a later epoch: the takeover's holder's row survives a late publish of the
    /// old holder even when the two statements race, because the conflict check reads the row as last committed.
    /// No <c>FOR SHARE</c> on the lease rows (as history writes take): that would dirty every lease row several
    /// times a second, and the epoch check on the snapshot row already keeps a stale holder from overwriting.
    /// </summary>
    public int Publish(string holder, IReadOnlyCollection<LiveSnapshotPublish> snapshots)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentNullException.ThrowIfNull(snapshots);
        if (snapshots.Count == 0) return 0;
        using var connection = database.Open();
        return connection.Execute(new CommandDefinition(
            """
            INSERT INTO live_snapshots AS s (cluster_id, holder, epoch, taken_ms, version, json)
            SELECT p.cluster_id, l.holder, p.epoch, p.taken_ms, nextval('live_snapshot_versions'), p.json
            FROM unnest(@Clusters, @Epochs, @Taken, @Json) AS p (cluster_id, epoch, taken_ms, json)
            JOIN cluster_leases l ON l.cluster_id = p.cluster_id AND l.holder = @Holder AND l.epoch = p.epoch
            ON CONFLICT (cluster_id) DO UPDATE SET
                holder = EXCLUDED.holder, epoch = EXCLUDED.epoch, taken_ms = EXCLUDED.taken_ms, version = EXCLUDED.version, json = EXCLUDED.json
            WHERE s.epoch <= EXCLUDED.epoch
            """,
            new
            {
                Holder = holder,
                Clusters = snapshots.Select(s => s.ClusterId).ToArray(),
                Epochs = snapshots.Select(s => s.Epoch).ToArray(),
                Taken = snapshots.Select(s => s.TakenMs).ToArray(),
                Json = snapshots.Select(s => s.Json).ToArray(),
            },
            commandTimeout: CommandTimeoutSeconds));
    }

    /// <summary>
    /// Rows published after version <paramref name="since"/> by other replicas than <paramref name="reader"/>, in
    /// version order. Versions are taken when a statement runs, not when it commits, so a publish that commits
    /// after a later one can be passed over; the next publish of that cluster (its next poll) is read instead.
    /// </summary>
    public IReadOnlyList<LiveSnapshotRow> ReadSince(long since, string reader)
    {
        using var connection = database.Open();
        return connection.Query<LiveSnapshotRow>(new CommandDefinition(
            "SELECT cluster_id AS ClusterId, holder AS Holder, epoch AS Epoch, taken_ms AS TakenMs, version AS Version, json AS Json FROM live_snapshots WHERE version > @Since AND holder <> @Reader ORDER BY version",
            new { Since = since, Reader = reader }, commandTimeout: CommandTimeoutSeconds)).AsList();
    }

    /// <summary>
    /// Deletes the rows of clusters whose lease lapsed more than <paramref name="after"/> ago: a cluster no replica
    /// monitors any more (it left the registry) leaves no row behind, so the table stays one row per live cluster.
    /// </summary>
    public int Prune(TimeSpan after)
    {
        using var connection = database.Open();
        return connection.Execute(new CommandDefinition(
            $"""
            DELETE FROM live_snapshots s WHERE NOT EXISTS (
                SELECT 1 FROM cluster_leases l WHERE l.cluster_id = s.cluster_id AND l.expires_ms >= {DatabaseNowMs} - @AfterMs)
            """,
            new { AfterMs = (long)after.TotalMilliseconds }, commandTimeout: CommandTimeoutSeconds));
    }
}
