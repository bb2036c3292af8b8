using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;
using Dashboard.Model;

namespace Dashboard.Api;

/// <summary>
/// JSON for automation (<c>/api/clusters</c>, <c>/api/clusters/{id}/ensemble</c>) and Prometheus text (<c>/metrics</c>).
/// Shapes are our own DTOs, so internal records can change without breaking scripts; credentials never appear.
/// </summary>
internal static class EnsembleApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEndpointRouteBuilder MapEnsembleApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/clusters", (ClusterRegistry registry, EnsembleStore store) =>
            Results.Json(registry.Clusters.Select(c => ClusterDto(c, store.Get(c.Definition.Id)?.Latest)), Json));

        app.MapGet("/api/clusters/{id}/ensemble", async (string id, string? at, ClusterRegistry registry, EnsembleStore store, HistoryReader history, CancellationToken cancellationToken) =>
        {
            if (registry.Find(id) is not { } cluster) return Results.Json(new { error = $"no cluster has the id '{id}'" }, Json, statusCode: 404);
            if (at is not null)
            {
                // "As of": the last snapshot stored at or before that time.
                if (!TimeRange.TryParseTime(at, out var when)) return Results.Json(new { error = $"'at' is not a time: '{at}' (use ISO 8601, e.g. 2026-11-21T03:12:00Z)" }, Json, statusCode: 400);
                var record = await history.SnapshotAtAsync(id, when, cancellationToken).ConfigureAwait(false);
                if (record is null || EnsembleHistoryRecorder.FromRecord(record) is not { } past)
                    return Results.Json(new { error = $"no snapshot of '{id}' is stored at or before {when:O}" }, Json, statusCode: 404);
                return Results.Json(EnsembleDto(past, []), Json);
            }
            if (store.Get(id) is not { } state) return Results.Json(new { cluster = ClusterDto(cluster, null), error = "not polled yet" }, Json, statusCode: 503);
            return Results.Json(EnsembleDto(state.Latest, state.Events), Json);
        });

        app.MapGet("/metrics", (EnsembleStore store) => Results.Text(Prometheus(store.Latest), "text/plain; version=0.0.4; charset=utf-8"));
        return app;
    }

    private static object ClusterDto(ClusterEntry c, EnsembleSnapshot? s) => new
    {
        id = c.Definition.Id,
        name = c.Definition.Name,
        connectString = c.Definition.ConnectString,
        availability = c.Availability,
        hasQuorum = s?.Analysis.HasQuorum,
        leaderId = s?.Leader?.Id,
        votersUp = s?.Analysis.VotersUp,
        quorumSize = s?.Analysis.QuorumSize,
        worstFinding = s?.Findings.FirstOrDefault(),
    };

    private static object EnsembleDto(EnsembleSnapshot s, IEnumerable<EnsembleEvent> events) => new
    {
        clusterId = s.ClusterId,
        takenAt = s.TakenAt,
        durationMs = s.Duration.TotalMilliseconds,
        polledBy = s.PolledBy,
        leaderId = s.Leader?.Id,
        nodes = s.Nodes.Select(n => new
        {
            id = n.Id,
            host = n.Host,
            clientPort = n.ClientPort,
            role = Display.RoleWord(n.Role),
            voter = n.IsVoter,
            datacenter = n.Datacenter,
            zxid = n.Zxid?.ToString(),
            zxidEpoch = n.Zxid?.Epoch,
            zxidCounter = n.Zxid?.Counter,
            zxidLag = n.ZxidLag,
            latencyMinMs = n.LatencyMinMs,
            latencyAvgMs = n.LatencyAvgMs,
            latencyMaxMs = n.LatencyMaxMs,
            outstanding = n.Outstanding,
            connections = n.Connections,
            znodeCount = n.ZnodeCount,
            watchCount = n.WatchCount,
            ephemerals = n.Ephemerals,
            dataSizeBytes = n.DataSizeBytes,
            openFileDescriptors = n.OpenFileDescriptors,
            maxFileDescriptors = n.MaxFileDescriptors,
            version = n.Version,
            uptimeSeconds = n.Uptime?.TotalSeconds,
            learners = n.Learners,
            syncedFollowers = n.SyncedFollowers,
            syncedObservers = n.SyncedObservers,
            configVersion = n.ConfigVersion?.ToString("x", CultureInfo.InvariantCulture),
            source = n.Source,
            refusedCommands = n.RefusedCommands,
            responseTimeMs = n.ResponseTime.TotalMilliseconds,
            timedOut = n.TimedOut,
            error = n.Error,
        }),
        analysis = new
        {
            voters = s.Analysis.Voters,
            quorumSize = s.Analysis.QuorumSize,
            votersUp = s.Analysis.VotersUp,
            hasQuorum = s.Analysis.HasQuorum,
            failuresTolerated = s.Analysis.FailuresTolerated,
            leaderIds = s.Analysis.LeaderIds,
            twoLeaders = s.Analysis.HasTwoLeaders,
            noLeader = s.Analysis.HasNoLeader,
            membershipDisagrees = s.Analysis.MembershipDisagrees,
            configVersionDisagrees = s.Analysis.ConfigVersionDisagrees,
            configuredDifferences = s.Analysis.ConfiguredDifferences,
            nodes = s.Analysis.Nodes,
        },
        findings = s.Findings,
        events,
    };

    internal static string Prometheus(IReadOnlyDictionary<string, EnsembleSnapshot> latest)
    {
        var text = new StringBuilder();
        void Metric(string name, string help, IEnumerable<(string Labels, double Value)> samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n");
            foreach (var (labels, value) in samples) text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {value}\n");
        }
        static string Esc(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        var nodes = latest.Values.SelectMany(s => s.Nodes.Select(n => (Cluster: s.ClusterId, Node: n))).ToList();
        string L((string Cluster, NodeStatus Node) x) => $"cluster=\"{Esc(x.Cluster)}\",node=\"{x.Node.Id?.ToString(CultureInfo.InvariantCulture) ?? ""}\",address=\"{Esc(x.Node.Address)}\"";

        Metric("zk_dashboard_node_up", "1 when the node serves requests.", nodes.Select(x => (L(x), x.Node.IsServing ? 1.0 : 0)));
        Metric("zk_dashboard_node_role", "1 for the node's current role.", nodes.Select(x => ($"{L(x)},role=\"{Display.RoleWord(x.Node.Role)}\"", 1.0)));
        Metric("zk_dashboard_node_latency_avg_ms", "Average request latency.", nodes.Where(x => x.Node.LatencyAvgMs is not null).Select(x => (L(x), x.Node.LatencyAvgMs!.Value)));
        Metric("zk_dashboard_node_outstanding_requests", "Queued requests.", nodes.Where(x => x.Node.Outstanding is not null).Select(x => (L(x), (double)x.Node.Outstanding!.Value)));
        Metric("zk_dashboard_leader_synced_followers", "Followers in sync with the leader.", nodes.Where(x => x.Node.SyncedFollowers is not null).Select(x => (L(x), (double)x.Node.SyncedFollowers!.Value)));
        Metric("zk_dashboard_cluster_has_quorum", "1 when a quorum of voters serves with a leader.", latest.Values.Select(s => ($"cluster=\"{Esc(s.ClusterId)}\"", s.Analysis.HasQuorum ? 1.0 : 0)));
        Metric("zk_dashboard_cluster_voters_up", "Voters leading or following.", latest.Values.Select(s => ($"cluster=\"{Esc(s.ClusterId)}\"", (double)s.Analysis.VotersUp)));
        return text.ToString();
    }
}
