using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Core.Replicas;

/// <summary>One cluster's lease as the database holds it.</summary>
public sealed record ClusterLease(string ClusterId, string Holder, long Epoch, DateTimeOffset ExpiresAt, DateTimeOffset AcquiredAt);

/// <summary>What one renewal round left this replica with.</summary>
/// <param name="Held">The epoch of every lease held now: clusters and this replica's own keys.</param>
/// <param name="LiveReplicas">Replicas that renewed within a lease period, this one included.</param>
/// <param name="FairShare">Clusters per replica this round aimed at: the cluster count over <paramref name="LiveReplicas"/>, rounded up.</param>
/// <param name="Shed">Clusters let go because more than the fair share was held.</param>
/// <param name="TookAbandoned">Clusters taken beyond the fair share because nobody had held them for two lease periods.</param>
public sealed record LeaseRound(IReadOnlyDictionary<string, long> Held, int LiveReplicas, int FairShare, int Shed, int TookAbandoned);

/// <summary>
/// Leases in the shared database: the replica that holds a cluster's lease is the one that polls it and writes its
/// history. A row per cluster with its holder, an expiry and an epoch; the epoch goes up each time the lease changes
/// hands, and every history write carries the epoch it was made under (<see cref="FencedWrite"/>).
/// <para>
/// Why a PostgreSQL row and not an ephemeral znode in the monitored ensemble: the database is shared and needed
/// anyway, while a znode would be a write into every monitored ensemble (a read-only dashboard would need write
/// ACLs there), would vanish with the ensemble's quorum exactly when watching it matters most, and could not fence
/// the database writes it guards. Expiry is judged by the database's clock, so replicas' clocks need not agree.
/// </para>
/// <para>
/// Clusters are spread: each replica also renews a row of its own (<see cref="ReplicaKeyPrefix"/>), so every replica
/// counts the live ones, even those holding nothing yet, and holds at most its fair share. One that holds more (it
/// was up first, or a replica joined) lets the excess go, and the others take it at their next round.
/// </para>
/// </summary>
public sealed class ClusterLeaseStore(HistoryDatabase database)
{
    /// <summary>The row each replica renews to say it is alive; never a cluster's lease.</summary>
    public const string ReplicaKeyPrefix = "replica:";

    private const string DatabaseNowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    /// <summary>
    /// One renewal round: says this replica is alive, renews <paramref name="ownKeys"/> (leases only this replica
    /// asks for, such as its maintenance runs: always taken, never shed) and its cluster leases among
    /// <paramref name="clusterIds"/>, lets go of clusters beyond its fair share when <paramref name="mayShed"/>, and
    /// takes free or expired ones up to that share (and, beyond it, any nobody held for two lease periods).
    /// Throws when the database cannot be reached.
    /// </summary>
    public LeaseRound Renew(string holder, IReadOnlyCollection<string> clusterIds, TimeSpan duration, IReadOnlyCollection<string>? ownKeys = null, bool mayShed = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentNullException.ThrowIfNull(clusterIds);
        try
        {
            return RenewOnce(holder, clusterIds, duration, ownKeys, mayShed);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState is Npgsql.PostgresErrorCodes.DeadlockDetected or Npgsql.PostgresErrorCodes.SerializationFailure)
        {
            // Rows are taken in cluster order, but a holder renewing its own lapsed rows while another takes them
            // can still cross; the database undid this round whole, so once more is safe.
            return RenewOnce(holder, clusterIds, duration, ownKeys, mayShed);
        }
    }

    private LeaseRound RenewOnce(string holder, IReadOnlyCollection<string> clusterIds, TimeSpan duration, IReadOnlyCollection<string>? ownKeys, bool mayShed)
    {
        var durationMs = (long)duration.TotalMilliseconds;
        using var connection = database.Open();
        // A cluster never leased gets a row freed just now, so "abandoned" (freed two lease periods ago and still not
        // taken) is judged from the first time any replica saw it, never from the start of time. On its own, before
        // the round's transaction, and only for missing rows: an insert that met a row another round is renewing
        // would wait for that round while holding this one's locks (two rounds waiting on each other).
        connection.Execute(
            $"""
            INSERT INTO cluster_leases (cluster_id, holder, epoch, expires_ms, acquired_ms)
            SELECT c, '', 0, {DatabaseNowMs} - 1, {DatabaseNowMs} FROM unnest(@Clusters) AS c
            WHERE NOT EXISTS (SELECT 1 FROM cluster_leases l WHERE l.cluster_id = c) ORDER BY c
            ON CONFLICT (cluster_id) DO NOTHING
            """,
            new { Clusters = clusterIds.ToArray() });
        using var transaction = connection.BeginTransaction();
        // One instant for the whole round, so a replica's own row and its leases expire together and a survivor
        // never counts a dead replica whose leases it already sees expired.
        var now = connection.ExecuteScalar<long>($"SELECT {DatabaseNowMs}", transaction: transaction);
        var held = Take(connection, transaction, holder, [ReplicaKeyPrefix + holder, .. ownKeys ?? []], now, durationMs);

        var replicas = (int)connection.ExecuteScalar<long>("SELECT count(*) FROM cluster_leases WHERE cluster_id LIKE @Prefix AND expires_ms >= @Now",
            new { Prefix = ReplicaKeyPrefix + "%", Now = now }, transaction);
        var share = clusterIds.Count == 0 ? 0 : (clusterIds.Count + replicas - 1) / Math.Max(1, replicas);

        // Own rows are renewed even when they lapsed unnoticed (nobody else took them, so nobody wrote under them).
        var mine = connection.Query<(string ClusterId, long Epoch)>(
            "UPDATE cluster_leases SET expires_ms = @Until WHERE cluster_id IN (SELECT cluster_id FROM cluster_leases WHERE holder = @Holder AND cluster_id = ANY(@Clusters) ORDER BY cluster_id FOR UPDATE) RETURNING cluster_id, epoch",
            new { Until = now + durationMs, Holder = holder, Clusters = clusterIds.ToArray() }, transaction).ToDictionary(r => r.ClusterId, r => r.Epoch, StringComparer.Ordinal);

        var shed = 0;
        if (mayShed && mine.Count > share)
        {
            // The latest taken go first: the clusters held longest keep their poller. Expired now, not at 0, so they
            // count as just freed (taken within others' shares), not as abandoned; and no holder, so this replica's
            // next renewal does not take them back (its own rows it renews even when lapsed).
            var excess = connection.Query<string>(
                "SELECT cluster_id FROM cluster_leases WHERE holder = @Holder AND cluster_id = ANY(@Clusters) ORDER BY acquired_ms DESC, cluster_id LIMIT @Count",
                new { Holder = holder, Clusters = mine.Keys.ToArray(), Count = mine.Count - share }, transaction).ToArray();
            connection.Execute("UPDATE cluster_leases SET holder = '', expires_ms = @Now - 1 WHERE holder = @Holder AND cluster_id = ANY(@Excess)",
                new { Now = now, Holder = holder, Excess = excess }, transaction);
            foreach (var cluster in excess) mine.Remove(cluster);
            shed = excess.Length;
        }

        var tookAbandoned = 0;
        if (shed == 0)
        {
            // Free clusters up to the share, in an order of this replica's own (a hash of cluster and holder), so
            // replicas taking at the same moment mostly reach for different ones.
            var wanted = Math.Max(0, share - mine.Count);
            var free = connection.Query<(string ClusterId, bool Abandoned)>(
                """
                SELECT l.cluster_id, l.expires_ms < @Now - 2 * @DurationMs
                FROM cluster_leases l
                WHERE l.cluster_id = ANY(@Clusters) AND l.expires_ms < @Now AND l.holder <> @Holder
                ORDER BY md5(l.cluster_id || @Holder)
                """,
                new { Now = now, DurationMs = durationMs, Holder = holder, Clusters = clusterIds.ToArray() }, transaction).ToList();
            var chosen = free.Take(wanted).Select(f => f.ClusterId).ToList();
            // A cluster nobody took for two lease periods (a replica counted as alive that takes nothing) is taken
            // whatever the share: it must be polled by someone.
            var abandoned = free.Skip(wanted).Where(f => f.Abandoned).Select(f => f.ClusterId).ToList();
            foreach (var (cluster, epoch) in Take(connection, transaction, holder, [.. chosen, .. abandoned], now, durationMs)) mine[cluster] = epoch;
            tookAbandoned = abandoned.Count(mine.ContainsKey);
        }
        transaction.Commit();
        held.Remove(ReplicaKeyPrefix + holder); // this replica's own heartbeat: nothing a caller holds
        foreach (var (cluster, epoch) in mine) held[cluster] = epoch;
        return new LeaseRound(held, replicas, share, shed, tookAbandoned);
    }

    /// <summary>Takes or renews <paramref name="keys"/>: an update in place of this holder's rows, a takeover (epoch + 1) of expired ones, nothing for a lease another live replica holds.</summary>
    private static Dictionary<string, long> Take(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string holder, string[] keys, long now, long durationMs)
    {
        if (keys.Length == 0) return new Dictionary<string, long>(StringComparer.Ordinal);
        return connection.Query<(string ClusterId, long Epoch)>(
            """
            INSERT INTO cluster_leases AS l (cluster_id, holder, epoch, expires_ms, acquired_ms)
            SELECT c, @Holder, 1, @Now + @DurationMs, @Now FROM unnest(@Keys) AS c ORDER BY c
            ON CONFLICT (cluster_id) DO UPDATE SET
                epoch = CASE WHEN l.holder = EXCLUDED.holder THEN l.epoch ELSE l.epoch + 1 END,
                acquired_ms = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_ms ELSE EXCLUDED.acquired_ms END,
                holder = EXCLUDED.holder,
                expires_ms = EXCLUDED.expires_ms
            WHERE l.holder = EXCLUDED.holder OR l.expires_ms < EXCLUDED.acquired_ms
            RETURNING cluster_id, epoch
            """,
            new { Holder = holder, Now = now, DurationMs = durationMs, Keys = keys }, transaction).ToDictionary(h => h.ClusterId, h => h.Epoch, StringComparer.Ordinal);
    }

    /// <summary>
    /// A replica that stops lets its leases go at once, so others take them at their next round rather than after
    /// the expiry. Expired now rather than long ago: they are taken within the others' fair shares.
    /// </summary>
    public void Release(string holder)
    {
        using var connection = database.Open();
        connection.Execute($"UPDATE cluster_leases SET expires_ms = {DatabaseNowMs} - 1 WHERE holder = @Holder", new { Holder = holder });
    }

    /// <summary>Keys starting with <paramref name="prefix"/> whose lease has not expired, by the database's clock.</summary>
    public IReadOnlySet<string> Live(string prefix)
    {
        using var connection = database.Open();
        return connection.Query<string>($"SELECT cluster_id FROM cluster_leases WHERE cluster_id LIKE @Prefix AND expires_ms >= {DatabaseNowMs}",
            new { Prefix = prefix.Replace("%", "", StringComparison.Ordinal) + "%" }).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<ClusterLease> List()
    {
        using var connection = database.Open();
        return connection.Query<(string ClusterId, string Holder, long Epoch, long ExpiresMs, long AcquiredMs)>(
                "SELECT cluster_id, holder, epoch, expires_ms, acquired_ms FROM cluster_leases ORDER BY cluster_id")
            .Select(r => new ClusterLease(r.ClusterId, r.Holder, r.Epoch, DateTimeOffset.FromUnixTimeMilliseconds(r.ExpiresMs), DateTimeOffset.FromUnixTimeMilliseconds(r.AcquiredMs)))
            .ToList();
    }
}
