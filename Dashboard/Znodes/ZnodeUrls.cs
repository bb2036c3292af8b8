using System.Globalization;
using Dashboard.Core.Znodes;

namespace Dashboard.Znodes;

/// <summary>Every znode address in one place, so pages, fragments and tests agree; paths are always query-escaped.</summary>
internal static class ZnodeUrls
{
    public static string Page(string clusterId, string path, ChildrenQuery? query = null, DataView? view = null) =>
        $"/clusters/{Uri.EscapeDataString(clusterId)}/znodes?path={Uri.EscapeDataString(path)}{Query(query)}{(view is { } v ? "&view=" + v.ToString().ToLowerInvariant() : "")}";

    /// <summary>
    /// Addresses longer than this are not put in a URL: browsers, proxies and Kestrel (8 KB of request line and
    /// headers) start refusing them. Such a node is opened within the circuit instead (<see cref="ZnodeNavigator"/>).
    /// </summary>
    public const int MaxUrlLength = 2_000;

    public static bool Fits(string url) => url.Length <= MaxUrlLength;

    public static string Download(string clusterId, string path) => Base(clusterId, "download") + $"?path={Uri.EscapeDataString(path)}";

    public static string Export(string clusterId, string path) => Base(clusterId, "export") + $"?path={Uri.EscapeDataString(path)}";

    public static string Action(string clusterId, string action) => Base(clusterId, action);

    public static string Api(string clusterId, string path) => $"/api/clusters/{Uri.EscapeDataString(clusterId)}/znodes?path={Uri.EscapeDataString(path)}";

    private static string Base(string clusterId, string action) => $"/clusters/{Uri.EscapeDataString(clusterId)}/znodes/{action}";

    private static string Query(ChildrenQuery? q)
    {
        if (q is null) return "";
        var text = "";
        if (q.Offset > 0) text += "&offset=" + q.Offset.ToString(CultureInfo.InvariantCulture);
        if (q.Limit != ChildrenQuery.DefaultLimit) text += "&limit=" + q.Limit.ToString(CultureInfo.InvariantCulture);
        if (q.Filter is { Length: > 0 } f) text += "&filter=" + Uri.EscapeDataString(f);
        if (q.Sort != ChildSort.Name) text += "&sort=" + q.Sort.ToString().ToLowerInvariant();
        if (q.Descending) text += "&desc=true";
        return text;
    }
}
