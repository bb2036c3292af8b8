using Dapper;

namespace Dashboard.Core.History;

/// <summary>Queries over the history. Reads use their own read-only connections and never wait for the writer (WAL).</summary>
public sealed class HistoryReader(HistoryDatabase database)
{
    public const int MaxEvents = 5_000;

    public async Task<IReadOnlyList<HistoryEvent>> EventsAsync(string clusterId, DateTimeOffset from, DateTimeOffset to,
        IReadOnlyCollection<string>? kinds = null, int limit = 1_000, CancellationToken cancellationToken = default)
    {
        if (!database.MayHoldData) return [];
        using var connection = database.Open(readOnly: true);
        var sql = "SELECT id AS Id, cluster_id AS ClusterId, at_ms AS AtMs, kind AS Kind, subject AS Subject, summary AS Summary, data_json AS DataJson FROM events WHERE cluster_id = @clusterId AND at_ms >= @from AND at_ms <= @to"
                  + (kinds is { Count: > 0 } ? " AND " + database.Provider.InList("kind", "@kinds") : "")
                  + " ORDER BY at_ms DESC, id DESC LIMIT @limit";
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(sql,
            new { clusterId, from = HistoryWrite.Ms(from), to = HistoryWrite.Ms(to), kinds = kinds?.ToArray(), limit = Math.Clamp(limit, 1, MaxEvents) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new HistoryEvent(r.ClusterId, DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs), r.Kind, r.Subject, r.Summary, r.DataJson) { Id = r.Id }).ToList();
    }

    /// <summary>
    /// One page of events: counted and cut in the database (LIMIT/OFFSET over the cluster+time index), so the
    /// history page pages through a year of events without reading them.
    /// </summary>
    public async Task<EventPage> EventPageAsync(string clusterId, EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Validate() is { } error) throw new ArgumentException(error, nameof(query));
        if (!database.MayHoldData) return new EventPage([], 0, 1, query.PageSize);
        using var connection = database.Open(readOnly: true);
        var where = "cluster_id = @clusterId AND at_ms >= @from AND at_ms <= @to"
                    + (query.Kind is null ? "" : " AND kind = @kind")
                    // A backslash escapes the user's % and _; SQLite's LOWER folds ASCII only, hence "case-insensitive for ASCII".
                    + (string.IsNullOrEmpty(query.Text) ? "" : @" AND (LOWER(summary) LIKE @text ESCAPE '\' OR LOWER(COALESCE(subject, '')) LIKE @text ESCAPE '\')");
        var order = query.Sort switch
        {
            EventSort.Oldest => "at_ms ASC, id ASC",
            EventSort.Kind => "kind ASC, at_ms DESC, id DESC",
            _ => "at_ms DESC, id DESC",
        };
        var parameters = Parameters(clusterId, query);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM events WHERE {where}", parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var pages = total == 0 ? 1 : (int)((total + query.PageSize - 1) / query.PageSize);
        var page = Math.Min(query.Page, pages);
        parameters.Add("limit", query.PageSize);
        parameters.Add("offset", (long)(page - 1) * query.PageSize);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            $"SELECT id AS Id, cluster_id AS ClusterId, at_ms AS AtMs, kind AS Kind, subject AS Subject, summary AS Summary, data_json AS DataJson FROM events WHERE {where} ORDER BY {order} LIMIT @limit OFFSET @offset",
            parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new EventPage(rows.Select(ToEvent).ToList(), total, page, query.PageSize);
    }

    private static DynamicParameters Parameters(string clusterId, EventQuery query)
    {
        var p = new DynamicParameters();
        p.Add("clusterId", clusterId);
        p.Add("from", HistoryWrite.Ms(query.From));
        p.Add("to", HistoryWrite.Ms(query.To));
        if (query.Kind is not null) p.Add("kind", query.Kind);
        if (!string.IsNullOrEmpty(query.Text)) p.Add("text", "%" + EscapeLike(query.Text.ToLowerInvariant()) + "%");
        return p;
    }

    private static string EscapeLike(string text) => text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    private static HistoryEvent ToEvent(EventRow r) =>
        new(r.ClusterId, DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs), r.Kind, r.Subject, r.Summary, r.DataJson) { Id = r.Id };

    /// <summary>The last snapshot stored at or before <paramref name="at"/>: the ensemble as it stood then.</summary>
    public async Task<SnapshotRecord?> SnapshotAtAsync(string clusterId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (!database.MayHoldData) return null;
        using var connection = database.Open(readOnly: true);
        var row = await connection.QuerySingleOrDefaultAsync<SnapshotRow>(new CommandDefinition(
            "SELECT id AS Id, cluster_id AS ClusterId, at_ms AS AtMs, reason AS Reason, leader_id AS LeaderId, json AS Json FROM snapshots WHERE cluster_id = @clusterId AND at_ms <= @at ORDER BY at_ms DESC, id DESC LIMIT 1",
            new { clusterId, at = HistoryWrite.Ms(at) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (row is null) return null;
        var nodes = await connection.QueryAsync<NodeRow>(new CommandDefinition(
            "SELECT node_id AS NodeId, address AS Address, role AS Role, zxid AS Zxid, error AS Error FROM snapshot_nodes WHERE snapshot_id = @id ORDER BY node_id", new { id = row.Id },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new SnapshotRecord(row.ClusterId, DateTimeOffset.FromUnixTimeMilliseconds(row.AtMs), row.Reason, row.LeaderId,
            nodes.Select(n => new SnapshotNodeRow(n.NodeId, n.Address, n.Role, n.Zxid, n.Error)).ToList(), row.Json) { Id = row.Id };
    }

    /// <summary>
    /// One node's metrics over a range: raw samples while the range lies within raw retention, otherwise the
    /// downsampled buckets (so a month's chart is a few thousand points, not a million).
    /// </summary>
    public async Task<IReadOnlyList<NodeMetricSample>> MetricsAsync(string clusterId, string nodeId, DateTimeOffset from, DateTimeOffset to,
        DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (!database.MayHoldData) return [];
        using var connection = database.Open(readOnly: true);
        var raw = from >= now - database.Options.RawMetricsRetention;
        var sql = raw
            ? "SELECT at_ms AS AtMs, latency_avg AS LatencyAvg, latency_max AS LatencyMax, outstanding AS Outstanding, connections AS Connections, znodes AS Znodes, watches AS Watches FROM node_metrics WHERE cluster_id = @clusterId AND node_id = @nodeId AND at_ms BETWEEN @from AND @to ORDER BY at_ms"
            : "SELECT bucket_ms AS AtMs, latency_avg AS LatencyAvg, latency_max AS LatencyMax, outstanding AS Outstanding, connections AS Connections, znodes AS Znodes, watches AS Watches FROM node_metrics_downsampled WHERE cluster_id = @clusterId AND node_id = @nodeId AND bucket_ms BETWEEN @from AND @to ORDER BY bucket_ms";
        var rows = await connection.QueryAsync<MetricRow>(new CommandDefinition(sql,
            new { clusterId, nodeId, from = HistoryWrite.Ms(from), to = HistoryWrite.Ms(to) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new NodeMetricSample(clusterId, nodeId, DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs), r.LatencyAvg, r.LatencyMax,
            ToLong(r.Outstanding), ToLong(r.Connections), ToLong(r.Znodes), ToLong(r.Watches))).ToList();
    }

    private static long? ToLong(double? value) => value is { } v ? (long)Math.Round(v) : null;

// Dapper fills these by property name; they are created by reflection only.
#pragma warning disable CA1812
    private sealed class EventRow { public long Id { get; set; } public string ClusterId { get; set; } = ""; public long AtMs { get; set; } public string Kind { get; set; } = ""; public string? Subject { get; set; } public string Summary { get; set; } = ""; public string? DataJson { get; set; } }
    private sealed class SnapshotRow { public long Id { get; set; } public string ClusterId { get; set; } = ""; public long AtMs { get; set; } public string Reason { get; set; } = ""; public string? LeaderId { get; set; } public string Json { get; set; } = ""; }
    private sealed class NodeRow { public string NodeId { get; set; } = ""; public string Address { get; set; } = ""; public string Role { get; set; } = ""; public long? Zxid { get; set; } public string? Error { get; set; } }
    private sealed class MetricRow { public long AtMs { get; set; } public double? LatencyAvg { get; set; } public double? LatencyMax { get; set; } public double? Outstanding { get; set; } public double? Connections { get; set; } public double? Znodes { get; set; } public double? Watches { get; set; } }
#pragma warning restore CA1812
}
