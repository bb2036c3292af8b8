using System.Data.Common;
using Dapper;

namespace Dashboard.Core.History;

/// <summary>One unit of work for the history writer; all writes go through its single queue.</summary>
public abstract record HistoryWrite
{
    internal abstract void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql);

    internal static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();
}

public sealed record EventWrite(HistoryEvent Event) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute(
            "INSERT INTO events (cluster_id, at_ms, kind, subject, summary, data_json) VALUES (@ClusterId, @AtMs, @Kind, @Subject, @Summary, @DataJson)",
            new { Event.ClusterId, AtMs = Ms(Event.At), Event.Kind, Event.Subject, Event.Summary, Event.DataJson }, transaction);
}

public sealed record SnapshotWrite(SnapshotRecord Snapshot) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql)
    {
        var id = connection.ExecuteScalar<long>(
            "INSERT INTO snapshots (cluster_id, at_ms, reason, leader_id, json) VALUES (@ClusterId, @AtMs, @Reason, @LeaderId, @Json) RETURNING id",
            new { Snapshot.ClusterId, AtMs = Ms(Snapshot.At), Snapshot.Reason, Snapshot.LeaderId, Snapshot.Json }, transaction);
        connection.Execute(
            sql.Upsert("snapshot_nodes", "snapshot_id, node_id, address, role, zxid, error", "snapshot_id, node_id", "VALUES (@SnapshotId, @NodeId, @Address, @Role, @Zxid, @Error)"),
            Snapshot.Nodes.Select(n => new { SnapshotId = id, n.NodeId, n.Address, n.Role, n.Zxid, n.Error }), transaction);
    }
}

public sealed record MetricsWrite(IReadOnlyList<NodeMetricSample> Samples) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute(
            sql.Upsert("node_metrics", "cluster_id, node_id, at_ms, latency_avg, latency_max, outstanding, connections, znodes, watches", "cluster_id, node_id, at_ms",
                "VALUES (@ClusterId, @NodeId, @AtMs, @LatencyAvg, @LatencyMax, @Outstanding, @Connections, @Znodes, @Watches)"),
            Samples.Select(s => new { s.ClusterId, s.NodeId, AtMs = Ms(s.At), s.LatencyAvg, s.LatencyMax, s.Outstanding, s.Connections, s.Znodes, s.Watches }),
            transaction);
}

/// <summary>A Kafka summary (<see cref="KafkaSummary"/>), stored as JSON with the controller as a column.</summary>
public sealed record KafkaSnapshotWrite(string ClusterId, string Reason, KafkaSummary Summary) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute(
            "INSERT INTO kafka_snapshots (cluster_id, at_ms, reason, controller_id, json) VALUES (@ClusterId, @AtMs, @Reason, @ControllerId, @Json)",
            new { ClusterId, AtMs = Ms(Summary.At), Reason, Summary.ControllerId, Json = System.Text.Json.JsonSerializer.Serialize(Summary, EnsembleHistoryRecorder.SnapshotJson) },
            transaction);
}
