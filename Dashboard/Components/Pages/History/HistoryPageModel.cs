using System.Globalization;
using Dashboard.Api;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;

namespace Dashboard.Components.Pages.History;

/// <summary>What the History page shows, loaded and validated outside the markup so tests can reach it.</summary>
internal sealed record HistoryPageModel(
    string ClusterId,
    string? Kind,
    TimeRange Range,
    DateTimeOffset At,
    IReadOnlyList<HistoryEvent> Events,
    IReadOnlyList<HistoryEvent> Elections,
    EnsembleSnapshot? AsOf,
    IReadOnlyList<string> Nodes,
    string? Error)
{
    public static readonly IReadOnlyList<string> Kinds =
        ["leader-changed", "node-down", "node-up", "role-changed", "quorum-lost", "quorum-restored", .. KafkaHistoryRecorder.Kinds];

    public static readonly IReadOnlyList<(string Measure, string Label)> Measures =
    [
        ("latencyAvgMs", "Latency avg (ms)"), ("latencyMaxMs", "Latency max (ms)"), ("outstanding", "Outstanding requests"),
        ("connections", "Connections"), ("znodes", "Znodes"), ("watches", "Watches"),
    ];

    public static readonly IReadOnlyList<(string Label, TimeSpan Span)> QuickRanges =
        [("last hour", TimeSpan.FromHours(1)), ("6 h", TimeSpan.FromHours(6)), ("day", TimeSpan.FromDays(1)), ("week", TimeSpan.FromDays(7)), ("month", TimeSpan.FromDays(30))];

    public string Link(TimeSpan span) =>
        $"/history?cluster={Uri.EscapeDataString(ClusterId)}{(Kind is null ? "" : "&kind=" + Uri.EscapeDataString(Kind))}&from={Uri.EscapeDataString(TimeRange.ForInput(Range.To - span))}&to={Uri.EscapeDataString(TimeRange.ForInput(Range.To))}";

    public static async Task<HistoryPageModel> LoadAsync(ClusterRegistry registry, HistoryReader reader, DateTimeOffset now,
        string? cluster, string? kind, string? from, string? to, string? at)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(reader);
        var clusterId = registry.Find(cluster ?? "")?.Definition.Id ?? registry.Clusters.FirstOrDefault()?.Definition.Id ?? "";
        kind = string.IsNullOrWhiteSpace(kind) ? null : kind;
        var error = cluster is { Length: > 0 } && registry.Find(cluster) is null ? $"No cluster has the id '{cluster}'; showing {clusterId}." : null;
        if (kind is not null && !Kinds.Contains(kind)) { error = $"'{kind}' is not an event kind; use one of {string.Join(", ", Kinds)}."; kind = null; }
        if (!TimeRange.TryParse(from, to, TimeSpan.FromHours(6), now, out var range, out var rangeError))
            return Empty(clusterId, kind, now, $"The time range is not valid: {rangeError}.");
        var asOf = range.To;
        if (at is not null && !TimeRange.TryParseTime(at, out asOf)) return Empty(clusterId, kind, now, $"'at' is not a time: '{at}'.");

        var events = await reader.EventsAsync(clusterId, range.From, range.To, kind is null ? null : [kind], 1_000).ConfigureAwait(false);
        var elections = kind is null or "leader-changed"
            ? events.Where(e => e.Kind == "leader-changed").ToList()
            : await reader.EventsAsync(clusterId, range.From, range.To, ["leader-changed"], 200).ConfigureAwait(false);
        var record = await reader.SnapshotAtAsync(clusterId, asOf).ConfigureAwait(false);
        var snapshot = record is null ? null : EnsembleHistoryRecorder.FromRecord(record);
        var nodes = snapshot?.Nodes.Select(EnsembleHistoryRecorder.NodeKey).ToList()
                    ?? registry.Find(clusterId)?.Definition.Nodes.Select(n => n.Id?.ToString(CultureInfo.InvariantCulture) ?? n.ToString()).ToList()
                    ?? [];
        return new HistoryPageModel(clusterId, kind, range, asOf, events, elections, snapshot, nodes, error);
    }

    private static HistoryPageModel Empty(string clusterId, string? kind, DateTimeOffset now, string error) =>
        new(clusterId, kind, new TimeRange(now.AddHours(-6), now), now, [], [], null, [], error);
}
