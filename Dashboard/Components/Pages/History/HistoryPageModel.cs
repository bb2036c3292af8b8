using System.Globalization;
using Dashboard.Api;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;

namespace Dashboard.Components.Pages.History;

/// <summary>
/// What the History page shows for the filters in its URL, loaded and validated outside the markup: one page of
/// events (the database pages them), the leader elections of the range, the ensemble as of a time. Bad input is
/// said in <see cref="Error"/> and the page shows what it can, never an error page.
/// </summary>
internal sealed record HistoryPageModel(
    string ClusterId,
    TimeRange Range,
    DateTimeOffset At,
    EventQuery Query,
    EventPage Events,
    IReadOnlyList<HistoryEvent> Elections,
    EnsembleSnapshot? AsOf,
    IReadOnlyList<string> Nodes,
    string? Error)
{
    public const int MaxElections = 200;

    public static readonly IReadOnlyList<string> Kinds =
        ["leader-changed", "node-down", "node-up", "role-changed", "quorum-lost", "quorum-restored", .. KafkaHistoryRecorder.Kinds];

    public static readonly IReadOnlyList<(string Measure, string Label)> Measures =
    [
        ("latencyAvgMs", "Latency avg (ms)"), ("latencyMaxMs", "Latency max (ms)"), ("outstanding", "Outstanding requests"),
        ("connections", "Connections"), ("znodes", "Znodes"), ("watches", "Watches"),
    ];

    public static readonly IReadOnlyList<(string Label, TimeSpan Span)> QuickRanges =
        [("last hour", TimeSpan.FromHours(1)), ("6 h", TimeSpan.FromHours(6)), ("day", TimeSpan.FromDays(1)), ("week", TimeSpan.FromDays(7)), ("month", TimeSpan.FromDays(30))];

    /// <summary>A stored time as the page shows it: UTC, to the second.</summary>
    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static async Task<HistoryPageModel> LoadAsync(ClusterRegistry registry, HistoryReader reader, DateTimeOffset now, string clusterId,
        HistoryFilter filter, int pageSize = EventQuery.DefaultPageSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(filter);
        var errors = new List<string>();
        var kind = filter.Kind;
        if (kind is not null && !Kinds.Contains(kind)) { errors.Add($"'{kind}' is not an event kind; use one of {string.Join(", ", Kinds)}."); kind = null; }
        var sort = EventSort.Newest;
        // By name only: Enum.TryParse would also take "7", an order that does not exist.
        if (filter.Sort is { } s)
        {
            if (Enum.GetNames<EventSort>().FirstOrDefault(n => n.Equals(s, StringComparison.OrdinalIgnoreCase)) is { } name) sort = Enum.Parse<EventSort>(name);
            else errors.Add($"'sort' must be one of {string.Join(", ", Enum.GetNames<EventSort>()).ToLowerInvariant()}.");
        }
        var text = filter.Text;
        if (text is { Length: > EventQuery.MaxTextLength }) { errors.Add($"The search text is longer than {EventQuery.MaxTextLength} characters."); text = null; }
        var page = filter.Page ?? 1;
        if (page < 1) { errors.Add("'page' must be 1 or more."); page = 1; }

        if (!TimeRange.TryParse(filter.From, filter.To, TimeSpan.FromHours(6), now, out var range, out var rangeError))
            return Empty(clusterId, now, pageSize, $"The time range is not valid: {rangeError}.");
        var asOf = range.To;
        if (filter.At is not null && !TimeRange.TryParseTime(filter.At, out asOf)) return Empty(clusterId, now, pageSize, $"'at' is not a time: '{filter.At}'.");

        var query = new EventQuery(range.From, range.To) { Kind = kind, Text = text, Sort = sort, Page = page, PageSize = pageSize };
        var events = await reader.EventPageAsync(clusterId, query, cancellationToken).ConfigureAwait(false);
        var elections = await reader.EventsAsync(clusterId, range.From, range.To, ["leader-changed"], MaxElections, cancellationToken).ConfigureAwait(false);
        var record = await reader.SnapshotAtAsync(clusterId, asOf, cancellationToken).ConfigureAwait(false);
        var snapshot = record is null ? null : EnsembleHistoryRecorder.FromRecord(record);
        var nodes = snapshot?.Nodes.Select(EnsembleHistoryRecorder.NodeKey).ToList()
                    ?? registry.Find(clusterId)?.Definition.Nodes.Select(n => n.Id?.ToString(CultureInfo.InvariantCulture) ?? n.ToString()).ToList()
                    ?? [];
        return new HistoryPageModel(clusterId, range, asOf, query with { Page = events.Page }, events, elections, snapshot, nodes,
            errors.Count == 0 ? null : string.Join(" ", errors));
    }

    private static HistoryPageModel Empty(string clusterId, DateTimeOffset now, int pageSize, string error)
    {
        var range = new TimeRange(now.AddHours(-6), now);
        var query = new EventQuery(range.From, range.To) { PageSize = pageSize };
        return new(clusterId, range, now, query, new EventPage([], 0, 1, pageSize), [], null, [], error);
    }
}
