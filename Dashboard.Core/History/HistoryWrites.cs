using System.Data;
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
    private const string Columns = "cluster_id, node_id, at_ms, latency_avg, latency_max, outstanding, connections, znodes, watches";

    /// <summary>
    /// One statement for the poll's nodes (one round trip, not one per node: with hundreds of clusters the writer's
    /// round trips are its limit). A node listed twice keeps its last sample: one statement may not upsert a key twice.
    /// </summary>
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql)
    {
        var samples = Samples.GroupBy(s => (s.ClusterId, s.NodeId, s.At)).Select(g => g.Last()).ToList();
        if (samples.Count == 0) return;
        var parameters = new DynamicParameters();
        var rows = new List<string>(samples.Count);
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            rows.Add($"(@c{i}, @n{i}, @t{i}, @la{i}, @lm{i}, @o{i}, @cn{i}, @z{i}, @w{i})");
            parameters.Add($"c{i}", s.ClusterId, DbType.String);
            parameters.Add($"n{i}", s.NodeId, DbType.String);
            parameters.Add($"t{i}", Ms(s.At), DbType.Int64);
            parameters.Add($"la{i}", s.LatencyAvg, DbType.Double); // typed: a null alone in a VALUES column would be text
            parameters.Add($"lm{i}", s.LatencyMax, DbType.Double);
            parameters.Add($"o{i}", s.Outstanding, DbType.Int64);
            parameters.Add($"cn{i}", s.Connections, DbType.Int64);
            parameters.Add($"z{i}", s.Znodes, DbType.Int64);
            parameters.Add($"w{i}", s.Watches, DbType.Int64);
        }
        connection.Execute(sql.Upsert("node_metrics", Columns, "cluster_id, node_id, at_ms", "VALUES " + string.Join(", ", rows)), parameters, transaction);
    }
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
