using System.Text.Json;
using Dashboard.Access;
using Dashboard.Core.Kafka;
using Dashboard.Kafka;

namespace Dashboard.Api;

/// <summary>
/// A preferred leader election requested as JSON (<c>POST /api/clusters/{id}/kafka/preferred-election</c>, body
/// <c>{"topic": "..."}</c> or none for every topic). A thin wrapper: the role check and the audit entry are the
/// service's, which the Kafka page's dialog calls too (the fallback policy and antiforgery still cover this POST).
/// </summary>
internal static class KafkaElectionEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record ElectionBody(string? Topic);

    public static IEndpointRouteBuilder MapKafkaElection(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/clusters/{id}/kafka/preferred-election", async (string id, HttpContext http, PreferredElectionService elections, RequestAudit audit) =>
        {
            var body = http.Request.HasJsonContentType() ? await http.Request.ReadFromJsonAsync<ElectionBody>(http.RequestAborted).ConfigureAwait(false) : null;
            var topic = body?.Topic ?? (string?)http.Request.Query["topic"];
            var answer = await elections.RequestAsync(http.User, id, topic, audit.AddressOf(http), http.RequestAborted).ConfigureAwait(false);
            if (answer.Result is not { } result) return Results.Json(new { error = answer.Error }, Json, statusCode: answer.Status);
            return Results.Json(new
            {
                outcome = Outcome(result.Outcome),
                message = result.Message,
                partitions = result.Partitions.Select(p => new { topic = p.Topic, partition = p.Partition }),
                error = result.Accepted ? null : result.Message,
            }, Json, statusCode: answer.Status);
        });
        return app;
    }

    private static string Outcome(PreferredElectionOutcome outcome) => outcome switch
    {
        PreferredElectionOutcome.Requested => "requested",
        PreferredElectionOutcome.AlreadyPending => "already-pending",
        PreferredElectionOutcome.NothingToElect => "nothing-to-elect",
        PreferredElectionOutcome.KraftController => "kraft-controller",
        _ => "unknown-topic",
    };
}
