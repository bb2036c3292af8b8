using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Core.Replicas;

/// <summary>One cluster's lease as the database holds it.</summary>
public sealed record ClusterLease(string ClusterId, string Holder, long Epoch, DateTimeOffset ExpiresAt, DateTimeOffset AcquiredAt);

/// <summary>
/// Leases in the shared database: the replica that holds a cluster's lease is the one that writes its history.
/// A row per cluster with its holder, an expiry and an epoch; the epoch goes up each time the lease changes hands,
/// and every history write carries the epoch it was made under (<see cref="FencedWrite"/>).
/// <para>
/// Why a PostgreSQL row and not an ephemeral znode in the monitored ensemble: the database is shared and needed
/// anyway, while a znode would be a write into every monitored ensemble (a read-only dashboard would need write
/// ACLs there), would vanish with the ensemble's quorum exactly when watching it matters most, and could not fence
/// the database writes it guards. Expiry is judged by the database's clock, so replicas' clocks need not agree.
/// </para>
/// </summary>
public sealed class ClusterLeaseStore(HistoryDatabase database)
{
    private const string DatabaseNowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    /// <summary>
    /// Renews the leases this replica holds and takes the free or expired ones among <paramref name="clusterIds"/>;
    /// returns the epoch of every lease it holds afterwards. Throws when the database cannot be reached.
    /// </summary>
    public IReadOnlyDictionary<string, long> Renew(string holder, IReadOnlyCollection<string> clusterIds, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        if (clusterIds.Count == 0) return new Dictionary<string, long>();
        using var connection = database.Open();
        // One statement for every cluster: an update in place for the holder's own rows, a takeover (epoch + 1) of
        // expired ones, nothing for leases another live replica holds. RETURNING lists exactly what is held now.
        var held = connection.Query<(string ClusterId, long Epoch)>(
            $"""
            INSERT INTO cluster_leases AS l (cluster_id, holder, epoch, expires_ms, acquired_ms)
            SELECT c, @Holder, 1, t.now_ms + @DurationMs, t.now_ms FROM unnest(@Clusters) AS c, (SELECT {DatabaseNowMs} AS now_ms) AS t
            ON CONFLICT (cluster_id) DO UPDATE SET
                epoch = CASE WHEN l.holder = EXCLUDED.holder THEN l.epoch ELSE l.epoch + 1 END,
                acquired_ms = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_ms ELSE EXCLUDED.acquired_ms END,
                holder = EXCLUDED.holder,
                expires_ms = EXCLUDED.expires_ms
            WHERE l.holder = EXCLUDED.holder OR l.expires_ms < EXCLUDED.acquired_ms
            RETURNING cluster_id, epoch
            """,
            new { Holder = holder, DurationMs = (long)duration.TotalMilliseconds, Clusters = clusterIds.ToArray() });
        return held.ToDictionary(h => h.ClusterId, h => h.Epoch, StringComparer.Ordinal);
    }

    /// <summary>A replica that stops lets its leases go at once, so another takes them at its next renewal rather than after the expiry.</summary>
    public void Release(string holder)
    {
        using var connection = database.Open();
        connection.Execute("UPDATE cluster_leases SET expires_ms = 0 WHERE holder = @Holder", new { Holder = holder });
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
