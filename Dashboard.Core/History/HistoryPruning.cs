using Dapper;
using Microsoft.Data.Sqlite;

namespace Dashboard.Core.History;

/// <summary>
/// Keeps the database bounded: folds raw metrics into buckets before they expire, deletes what is past its
/// retention, and when the file is still above its size bound, deletes the oldest snapshots and metrics first
/// (events, the smallest and most asked-for rows, go last).
/// </summary>
public sealed record PruneWrite(HistoryOptions Options, DateTimeOffset Now) : HistoryWrite
{
    internal override void Apply(SqliteConnection connection, SqliteTransaction transaction)
    {
        var now = Ms(Now);
        var bucket = (long)Options.DownsampleBucket.TotalMilliseconds;
        var rawCutoff = now - (long)Options.RawMetricsRetention.TotalMilliseconds;
        // Only whole buckets that have ended are folded, so a bucket is never written twice with partial data.
        var foldUpTo = now / bucket * bucket;
        connection.Execute(
            """
            INSERT OR REPLACE INTO node_metrics_downsampled
                (cluster_id, node_id, bucket_ms, samples, latency_avg, latency_max, outstanding, connections, znodes, watches)
            SELECT cluster_id, node_id, (at_ms / @Bucket) * @Bucket, COUNT(*), AVG(latency_avg), MAX(latency_max),
                   AVG(outstanding), AVG(connections), AVG(znodes), AVG(watches)
            FROM node_metrics
            WHERE at_ms < @FoldUpTo AND at_ms >= COALESCE((SELECT MAX(bucket_ms) + @Bucket FROM node_metrics_downsampled), 0)
            GROUP BY cluster_id, node_id, at_ms / @Bucket
            """,
            new { Bucket = bucket, FoldUpTo = foldUpTo }, transaction);

        connection.Execute("DELETE FROM node_metrics WHERE at_ms < @Cutoff", new { Cutoff = rawCutoff }, transaction);
        connection.Execute("DELETE FROM node_metrics_downsampled WHERE bucket_ms < @Cutoff",
            new { Cutoff = now - (long)Options.DownsampledMetricsRetention.TotalMilliseconds }, transaction);
        connection.Execute("DELETE FROM events WHERE at_ms < @Cutoff", new { Cutoff = now - (long)Options.EventRetention.TotalMilliseconds }, transaction);
        connection.Execute("DELETE FROM snapshots WHERE at_ms < @Cutoff", new { Cutoff = now - (long)Options.SnapshotRetention.TotalMilliseconds }, transaction);
        connection.Execute("DELETE FROM kafka_snapshots WHERE at_ms < @Cutoff", new { Cutoff = now - (long)Options.SnapshotRetention.TotalMilliseconds }, transaction);
        connection.Execute("DELETE FROM audit_log WHERE at_ms < @Cutoff", new { Cutoff = now - (long)Options.AuditRetention.TotalMilliseconds }, transaction);
        Access.AuditPruning.Apply(connection, transaction, Options.MaxAuditRows, Now);

        // Size bound: drop the oldest tenth of snapshots and raw metrics per round until under the bound.
        for (var round = 0; round < 10 && UsedBytes(connection, transaction) > Options.MaxDatabaseBytes; round++)
        {
            connection.Execute("DELETE FROM snapshots WHERE id IN (SELECT id FROM snapshots ORDER BY at_ms LIMIT MAX(1, (SELECT COUNT(*) FROM snapshots) / 10))", transaction: transaction);
            connection.Execute("DELETE FROM kafka_snapshots WHERE id IN (SELECT id FROM kafka_snapshots ORDER BY at_ms LIMIT MAX(1, (SELECT COUNT(*) FROM kafka_snapshots) / 10))", transaction: transaction);
            connection.Execute("DELETE FROM node_metrics WHERE at_ms <= (SELECT at_ms FROM node_metrics ORDER BY at_ms LIMIT 1 OFFSET MAX(0, (SELECT COUNT(*) FROM node_metrics) / 10))", transaction: transaction);
            if (round >= 5)
                connection.Execute("DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY at_ms LIMIT MAX(1, (SELECT COUNT(*) FROM events) / 10))", transaction: transaction);
        }
    }

    /// <summary>Bytes held by live pages: the file size less its free pages, which deletes create and a vacuum returns.</summary>
    internal static long UsedBytes(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        var pageSize = connection.ExecuteScalar<long>("PRAGMA page_size", transaction: transaction);
        var pages = connection.ExecuteScalar<long>("PRAGMA page_count", transaction: transaction);
        var free = connection.ExecuteScalar<long>("PRAGMA freelist_count", transaction: transaction);
        return (pages - free) * pageSize;
    }
}
