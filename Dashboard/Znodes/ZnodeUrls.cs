using System.Globalization;
using Dashboard.Core.Znodes;

namespace Dashboard.Znodes;

/// <summary>Every znode address in one place, so pages, fragments and tests agree; paths are always query-escaped.</summary>
internal static class ZnodeUrls
{
    public static string Page(string clusterId, string path, ChildrenQuery? query = null, DataView? view = null) =>
        $"/clusters/{Uri.EscapeDataString(clusterId)}/znodes?path={Uri.EscapeDataString(path)}{Query(query)}{(view is { } v ? "&view=" + v.ToString().ToLowerInvariant() : "")}";

    public static string Children(string clusterId, string path, ChildrenQuery query) => Base(clusterId, "children") + $"?path={Uri.EscapeDataString(path)}{Query(query)}";

    public static string Data(string clusterId, string path, DataView view) => Base(clusterId, "data") + $"?path={Uri.EscapeDataString(path)}&view={view.ToString().ToLowerInvariant()}";

    public static string Tree(string clusterId, string path) => Base(clusterId, "tree") + $"?path={Uri.EscapeDataString(path)}";

    public static string Download(string clusterId, string path) => Base(clusterId, "download") + $"?path={Uri.EscapeDataString(path)}";

    public static string Export(string clusterId, string path) => Base(clusterId, "export") + $"?path={Uri.EscapeDataString(path)}";

    public static string RecursiveDeleteForm(string clusterId, string path) => Base(clusterId, "delete-recursive") + $"?path={Uri.EscapeDataString(path)}";

    public static string Action(string clusterId, string action) => Base(clusterId, action);

    public static string SearchStatus(string clusterId, Guid job) => Base(clusterId, "search/" + job.ToString("N"));

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
