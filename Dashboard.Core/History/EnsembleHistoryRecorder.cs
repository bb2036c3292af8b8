using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dashboard.Core.Ensemble;

namespace Dashboard.Core.History;

/// <summary>
/// Turns each ensemble poll into history: every poll's per-node metrics; a stored snapshot when something that
/// matters changed (roles, leader, who is down) or a heartbeat is due; and the events between polls, with the
/// leader-less time of each election. Only enqueues: the poll loop never waits for the database. Among replicas,
/// only the holder of a cluster's lease records it; the others show what the holder publishes (their store
/// still calls this, and the snapshot is dropped here).
/// </summary>
public sealed class EnsembleHistoryRecorder(HistoryWriter writer, HistoryOptions options, Replicas.ClusterLeases? leases = null)
{
    public static readonly JsonSerializerOptions SnapshotJson = new(JsonSerializerDefaults.Web);

    private readonly SnapshotThrottle _throttle = new(options.SnapshotHeartbeat);
    private readonly ConcurrentDictionary<string, LeaderTrack> _leaders = new(StringComparer.Ordinal);

    /// <summary>When each cluster last saw a leader, and which.</summary>
    private sealed record LeaderTrack(string? LeaderId, DateTimeOffset? LastSeenAt);

    public void Record(EnsembleSnapshot snapshot, IReadOnlyList<EnsembleEvent> events)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(events);

        var track = _leaders.GetOrAdd(snapshot.ClusterId, _ => new LeaderTrack(null, null));
        if (leases?.Holds(snapshot.ClusterId) == false)
        {
            // Another replica writes this cluster; keep the leader track so a takeover measures elections right.
            if (snapshot.Leader is { } seen) _leaders[snapshot.ClusterId] = new LeaderTrack(NodeKey(seen), snapshot.TakenAt);
            _throttle.Forget(snapshot.ClusterId);
            return;
        }

        Enqueue(snapshot.ClusterId, new MetricsWrite(snapshot.Nodes.Where(n => n.IsServing).Select(n => new NodeMetricSample(
            snapshot.ClusterId, NodeKey(n), snapshot.TakenAt, n.LatencyAvgMs, n.LatencyMaxMs, n.Outstanding, n.Connections, n.ZnodeCount, n.WatchCount)).ToList()));

        foreach (var e in events) Enqueue(snapshot.ClusterId, new EventWrite(ToHistory(e, snapshot, track)));
        if (snapshot.Leader is { } leader) _leaders[snapshot.ClusterId] = new LeaderTrack(NodeKey(leader), snapshot.TakenAt);

        if (_throttle.ShouldStore(snapshot.ClusterId, Fingerprint(snapshot), snapshot.TakenAt) is { } reason)
            Enqueue(snapshot.ClusterId, new SnapshotWrite(ToRecord(snapshot, reason)));
    }

    private void Enqueue(string clusterId, HistoryWrite write)
    {
        if ((leases is null ? write : leases.Fence(clusterId, write)) is { } allowed) writer.Enqueue(allowed);
    }

    public static string NodeKey(NodeStatus node) => node.Id?.ToString(CultureInfo.InvariantCulture) ?? node.Address;

    public static string KindName(EnsembleEventKind kind) => kind switch
    {
        EnsembleEventKind.LeaderChanged => "leader-changed",
        EnsembleEventKind.NodeDown => "node-down",
        EnsembleEventKind.NodeUp => "node-up",
        EnsembleEventKind.RoleChanged => "role-changed",
        EnsembleEventKind.QuorumLost => "quorum-lost",
        EnsembleEventKind.QuorumRestored => "quorum-restored",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static SnapshotRecord ToRecord(EnsembleSnapshot snapshot, string reason) =>
        new(snapshot.ClusterId, snapshot.TakenAt, reason, snapshot.Leader is { } l ? NodeKey(l) : null,
            snapshot.Nodes.Select(n => new SnapshotNodeRow(NodeKey(n), n.Address, n.Role.ToString(), n.Zxid?.Value, n.Error)).ToList(),
            JsonSerializer.Serialize(snapshot, SnapshotJson));

    /// <summary>Reads back a stored snapshot; null when it was written by a version whose shape no longer reads.</summary>
    public static EnsembleSnapshot? FromRecord(SnapshotRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return FromJson(record.Json);
    }

    /// <summary>A snapshot from its stored or published JSON; null when its shape no longer reads.</summary>
    public static EnsembleSnapshot? FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try { return JsonSerializer.Deserialize<EnsembleSnapshot>(json, SnapshotJson); }
        catch (JsonException) { return null; }
        catch (NotSupportedException) { return null; }
    }

    private static HistoryEvent ToHistory(EnsembleEvent e, EnsembleSnapshot snapshot, LeaderTrack track)
    {
        string? data = null;
        if (e.Kind == EnsembleEventKind.LeaderChanged && track.LastSeenAt is { } lastSeen)
        {
            // A true upper bound: the old leader was last confirmed no earlier than the start of the last poll that
            // saw it, and the new one no later than when its answer arrived (the poll's start plus its response
            // time). Stamping the end with the poll's start undercounts whenever the answer itself was late, as
            // when every node was frozen and answered only once thawed.
            var answeredAt = snapshot.TakenAt + (snapshot.Leader?.ResponseTime ?? TimeSpan.Zero);
            var gap = answeredAt - lastSeen;
            var polledWithoutLeader = gap.TotalMilliseconds;
            data = JsonSerializer.Serialize(new { noLeaderMs = Math.Round(polledWithoutLeader), previousLeader = track.LeaderId });
        }
        return new HistoryEvent(e.ClusterId, e.At, KindName(e.Kind), e.NodeId?.ToString(CultureInfo.InvariantCulture), e.Message, data);
    }

    private static string Fingerprint(EnsembleSnapshot snapshot)
    {
        var text = new StringBuilder();
        foreach (var n in snapshot.Nodes.OrderBy(n => n.Address, StringComparer.Ordinal))
            text.Append(n.Address).Append('=').Append(n.Role).Append(n.IsVoter == false ? "/o" : "").Append(n.Error is null ? "" : "!").Append(';');
        text.Append(snapshot.Analysis.HasQuorum).Append(snapshot.Analysis.ConfigVersionDisagrees).Append(snapshot.Analysis.MembershipDisagrees);
        return text.ToString();
    }
}
