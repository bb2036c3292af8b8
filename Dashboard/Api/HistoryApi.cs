using System.Text.Json;
using Dashboard.Core.Clusters;
using Dashboard.Core.History;

namespace Dashboard.Api;

/// <summary>
/// History for automation and for the charts: <c>/api/clusters/{id}/events</c> and
/// <c>/api/clusters/{id}/metrics</c>. ("As of" lives on the ensemble endpoint: <c>?at=</c>.)
/// </summary>
internal static class HistoryApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/clusters/{id}/events", async (string id, string? from, string? to, string? kind, int? limit,
            ClusterRegistry registry, HistoryReader reader, TimeProvider time, CancellationToken cancellationToken) =>
        {
            if (registry.Find(id) is null) return NotFound(id);
            if (!TimeRange.TryParse(from, to, TimeSpan.FromDays(1), time.GetUtcNow(), out var range, out var error)) return BadRequest(error!);
            if (limit is < 1 or > HistoryReader.MaxEvents) return BadRequest($"'limit' must be between 1 and {HistoryReader.MaxEvents}");
            var kinds = string.IsNullOrWhiteSpace(kind) ? null : kind.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var events = await reader.EventsAsync(id, range.From, range.To, kinds, limit ?? 1_000, cancellationToken).ConfigureAwait(false);
            return Results.Json(new
            {
                clusterId = id,
                from = range.From,
                to = range.To,
                events = events.Select(e => new
                {
                    at = e.At,
                    kind = e.Kind,
                    subject = e.Subject,
                    summary = e.Summary,
                    data = e.DataJson is null ? (JsonElement?)null : JsonDocument.Parse(e.DataJson).RootElement,
                }),
            }, Json);
        });

        // Columns, as charting libraries take them: times in seconds, then one array per measure.
        app.MapGet("/api/clusters/{id}/metrics", async (string id, string? node, string? from, string? to,
            ClusterRegistry registry, HistoryReader reader, TimeProvider time, CancellationToken cancellationToken) =>
        {
            if (registry.Find(id) is null) return NotFound(id);
            if (string.IsNullOrWhiteSpace(node)) return BadRequest("'node' is required (a node id, e.g. node=1)");
            var now = time.GetUtcNow();
            if (!TimeRange.TryParse(from, to, TimeSpan.FromHours(1), now, out var range, out var error)) return BadRequest(error!);
            var samples = await reader.MetricsAsync(id, node, range.From, range.To, now, cancellationToken).ConfigureAwait(false);
            return Results.Json(new
            {
                clusterId = id,
                node,
                time = samples.Select(s => s.At.ToUnixTimeMilliseconds() / 1000.0),
                latencyAvgMs = samples.Select(s => s.LatencyAvg),
                latencyMaxMs = samples.Select(s => s.LatencyMax),
                outstanding = samples.Select(s => s.Outstanding),
                connections = samples.Select(s => s.Connections),
                znodes = samples.Select(s => s.Znodes),
                watches = samples.Select(s => s.Watches),
            }, Json);
        });
        return app;
    }

    private static IResult NotFound(string id) => Results.Json(new { error = $"no cluster has the id '{id}'" }, Json, statusCode: 404);

    private static IResult BadRequest(string error) => Results.Json(new { error }, Json, statusCode: 400);
}
