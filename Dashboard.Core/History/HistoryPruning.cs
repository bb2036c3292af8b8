using System.Data.Common;
using Dapper;

namespace Dashboard.Core.History;

/// <summary>
/// Keeps the database bounded: folds raw metrics into buckets before they expire, deletes what is past its
/// retention, and when the file is still above its size bound, deletes the oldest snapshots and metrics first
/// (events, the smallest and most asked-for rows, go last).
/// </summary>
public sealed record PruneWrite(HistoryOptions Options, DateTimeOffset Now) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql)
    {
        // Replicas on one database each prune on their timer; one prune at a time is enough (and a second would
        // write a second "audit-pruned" row for the same rows).
        if (!sql.TryLockForTransaction(connection, transaction, "history-prune")) return;
        var now = Ms(Now);
        var bucket = (long)Options.DownsampleBucket.TotalMilliseconds;
        var rawCutoff = now - (long)Options.RawMetricsRetention.TotalMilliseconds;
        // Only whole buckets that have ended are folded, so a bucket is never written twice with partial data.
        var foldUpTo = now / bucket * bucket;
        connection.Execute(
            sql.Upsert("node_metrics_downsampled", "cluster_id, node_id, bucket_ms, samples, latency_avg, latency_max, outstanding, connections, znodes, watches",
                "cluster_id, node_id, bucket_ms",
                """
                SELECT cluster_id, node_id, (at_ms / @Bucket) * @Bucket, COUNT(*), AVG(latency_avg), MAX(latency_max),
                       AVG(outstanding), AVG(connections), AVG(znodes), AVG(watches)
                FROM node_metrics
                WHERE at_ms < @FoldUpTo AND at_ms >= COALESCE((SELECT MAX(bucket_ms) + @Bucket FROM node_metrics_downsampled), 0)
                GROUP BY cluster_id, node_id, (at_ms / @Bucket) * @Bucket
                """),
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
        var tenth = (string table) => sql.Greatest("1", $"(SELECT COUNT(*) FROM {table}) / 10");
        for (var round = 0; round < 10 && sql.UsedBytes(connection, transaction) > Options.MaxDatabaseBytes; round++)
        {
            connection.Execute($"DELETE FROM snapshots WHERE id IN (SELECT id FROM snapshots ORDER BY at_ms LIMIT {tenth("snapshots")})", transaction: transaction);
            connection.Execute($"DELETE FROM kafka_snapshots WHERE id IN (SELECT id FROM kafka_snapshots ORDER BY at_ms LIMIT {tenth("kafka_snapshots")})", transaction: transaction);
            connection.Execute($"DELETE FROM node_metrics WHERE at_ms <= (SELECT at_ms FROM node_metrics ORDER BY at_ms LIMIT 1 OFFSET {sql.Greatest("0", "(SELECT COUNT(*) FROM node_metrics) / 10")})", transaction: transaction);
            if (round >= 5)
                connection.Execute($"DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY at_ms LIMIT {tenth("events")})", transaction: transaction);
        }
    }
}
