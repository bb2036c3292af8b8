using System.Text.Json;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka;
using Dashboard.Core.Maintenance;
using Dashboard.Core.ZooKeeper;
using Microsoft.AspNetCore.WebUtilities;

namespace Dashboard.Api;

/// <summary>
/// A preferred leader election, requested from the Kafka page's form (303 back to the page with what happened) or
/// as JSON (<c>POST /api/clusters/{id}/kafka/preferred-election</c>, body <c>{"topic": "..."}</c> or none for every
/// topic). Operators only (the fallback policy covers every POST, with antiforgery); every attempt is audited.
/// It goes through the cluster's broker roll checks, which keep a ZooKeeper session of their own.
/// </summary>
internal static class KafkaElectionEndpoints
{
    public const string AuditAction = "kafka-preferred-election";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record ElectionBody(string? Topic);

    public static IEndpointRouteBuilder MapKafkaElection(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/clusters/{id}/kafka/preferred-election", async (string id, HttpContext http, ClusterRegistry registry, IMaintenanceTargets targets, RequestAudit audit) =>
        {
            var body = http.Request.HasJsonContentType() ? await http.Request.ReadFromJsonAsync<ElectionBody>(http.RequestAborted).ConfigureAwait(false) : null;
            var topic = Topic(body?.Topic ?? http.Request.Query["topic"]);
            var (status, result, error) = await RequestAsync(id, topic, http, registry, targets, audit).ConfigureAwait(false);
            if (result is null) return Results.Json(new { error }, Json, statusCode: status);
            return Results.Json(new
            {
                outcome = Outcome(result.Outcome),
                message = result.Message,
                partitions = result.Partitions.Select(p => new { topic = p.Topic, partition = p.Partition }),
                error = result.Accepted ? null : result.Message,
            }, Json, statusCode: status);
        });
        app.MapPost("/clusters/{id}/kafka/preferred-election", async (string id, HttpContext http, ClusterRegistry registry, IMaintenanceTargets targets, RequestAudit audit) =>
        {
            if (registry.Find(id) is null) return Results.NotFound();
            var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
            var (_, result, error) = await RequestAsync(id, Topic(form["topic"]), http, registry, targets, audit).ConfigureAwait(false);
            var message = result is null ? "Refused: " + error : (result.Accepted ? "" : "Refused: ") + Capitalized(result.Message) + ".";
            return Results.Redirect(QueryHelpers.AddQueryString($"/clusters/{Uri.EscapeDataString(id)}/kafka", "election", message[..Math.Min(message.Length, 1500)]));
        });
        return app;
    }

    /// <summary>The status, the result (null when nothing could be asked) or the reason, with the attempt audited.</summary>
    private static async Task<(int Status, PreferredElectionResult? Result, string? Error)> RequestAsync(string id, string? topic, HttpContext http,
        ClusterRegistry registry, IMaintenanceTargets targets, RequestAudit audit)
    {
        var target = topic is null ? $"{id}/all topics" : $"{id}/{topic}";
        if (registry.Find(id) is null) return (404, null, $"no cluster has the id '{id}'");
        if (targets.Find(id)?.Kafka is not { } kafka)
        {
            audit.Record(http, AuditAction, target, AuditOutcome.Failed, detail: "no Kafka is watched on this cluster");
            return (404, null, $"no Kafka is watched on cluster '{id}'");
        }
        try
        {
            var result = await kafka.Checks.RequestPreferredLeaderElectionAsync(id, topic, http.RequestAborted).ConfigureAwait(false);
            audit.Record(http, AuditAction, target, result.Accepted ? AuditOutcome.Succeeded : AuditOutcome.Failed,
                after: result.Partitions.Count == 0 ? null : $"{result.Partitions.Count} partition(s)", detail: result.Message);
            var status = result.Outcome switch
            {
                PreferredElectionOutcome.Requested => 202,
                PreferredElectionOutcome.NothingToElect => 200,
                PreferredElectionOutcome.AlreadyPending or PreferredElectionOutcome.KraftController => 409,
                _ => 404,
            };
            return (status, result, null);
        }
        catch (Exception e) when (e is ZooKeeperException or TimeoutException or IOException)
        {
            var error = $"ZooKeeper could not be reached to request the election: {e.Message}";
            audit.Record(http, AuditAction, target, AuditOutcome.Failed, detail: error);
            return (503, null, error);
        }
    }

    private static string? Topic(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Outcome(PreferredElectionOutcome outcome) => outcome switch
    {
        PreferredElectionOutcome.Requested => "requested",
        PreferredElectionOutcome.AlreadyPending => "already-pending",
        PreferredElectionOutcome.NothingToElect => "nothing-to-elect",
        PreferredElectionOutcome.KraftController => "kraft-controller",
        _ => "unknown-topic",
    };

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
