namespace Dashboard.Core.History;

/// <summary>Something that happened to a cluster, derived from the difference between two snapshots.</summary>
/// <param name="Kind">A stable name such as <c>leader-changed</c>, <c>node-down</c>, <c>controller-changed</c>.</param>
/// <param name="Subject">What it happened to: a node id, a broker id, a <c>topic-partition</c>.</param>
/// <param name="DataJson">Details for the UI and the API (durations, before/after), as JSON.</param>
public sealed record HistoryEvent(string ClusterId, DateTimeOffset At, string Kind, string? Subject, string Summary, string? DataJson = null)
{
    public long Id { get; init; }
}

/// <summary>One node as it stood in a stored snapshot: the columns "as of" queries and filters need.</summary>
public sealed record SnapshotNodeRow(string NodeId, string Address, string Role, long? Zxid, string? Error);

/// <summary>A stored ensemble snapshot: a few queryable columns and per-node rows, plus the whole snapshot as JSON.</summary>
public sealed record SnapshotRecord(string ClusterId, DateTimeOffset At, string Reason, string? LeaderId, IReadOnlyList<SnapshotNodeRow> Nodes, string Json)
{
    public long Id { get; init; }
}

/// <summary>One poll's numbers for one node.</summary>
public sealed record NodeMetricSample(
    string ClusterId, string NodeId, DateTimeOffset At,
    double? LatencyAvg, double? LatencyMax, long? Outstanding, long? Connections, long? Znodes, long? Watches);

/// <summary>Whether history is being written, and if not, why and how much waits in memory or was dropped.</summary>
public sealed record HistoryStatus(bool IsHealthy, string? Problem, DateTimeOffset? Since, int PendingWrites, long DroppedWrites, string DatabasePath)
{
    public static HistoryStatus Healthy(string path) => new(true, null, null, 0, 0, path);
}
