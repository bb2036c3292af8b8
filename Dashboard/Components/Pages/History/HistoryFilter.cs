using System.Globalization;
using Dashboard.Api;
using Dashboard.Core.History;

namespace Dashboard.Components.Pages.History;

/// <summary>
/// The History page's filters as they stand in its URL (read back with SupplyParameterFromQuery), so a filter or
/// a page is a link: deep links, reload and back/forward show the same events. Defaults are left out of the URL.
/// </summary>
internal sealed record HistoryFilter(string? Cluster = null, string? Kind = null, string? From = null, string? To = null,
    string? At = null, string? Text = null, string? Sort = null, int? Page = null)
{
    public static HistoryFilter Read(string? cluster, string? kind, string? from, string? to, string? at, string? text, string? sort, int? page) =>
        new(Blank(cluster), Blank(kind), Blank(from), Blank(to), Blank(at), Blank(text), Blank(sort), page);

    public static string? PageParameter(int page) => page > 1 ? page.ToString(CultureInfo.InvariantCulture) : null;

    public static string? SortParameter(EventSort sort) => sort == EventSort.Newest ? null : sort.ToString().ToLowerInvariant();

    public static string TimeParameter(DateTimeOffset time) => TimeRange.ForInput(time);

    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
