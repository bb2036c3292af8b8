using Dashboard.Core.Znodes;

namespace Dashboard.Znodes;

/// <summary>Query-string values as the pages and endpoints accept them: lenient, unknown values fall back to defaults.</summary>
internal static class ZnodeQuery
{
    public static ChildrenQuery Children(int? offset, int? limit, string? filter, string? sort, bool? descending) => new ChildrenQuery(
        offset ?? 0,
        limit ?? ChildrenQuery.DefaultLimit,
        filter is { Length: > 200 } ? filter[..200] : filter,
        sort?.ToLowerInvariant() switch { "modified" or "mtime" => ChildSort.Modified, "size" => ChildSort.Size, _ => ChildSort.Name },
        descending ?? false).Normalized();

    public static DataView? View(string? view) => view?.ToLowerInvariant() switch
    {
        "text" => DataView.Text,
        "json" => DataView.Json,
        "hex" => DataView.Hex,
        "base64" => DataView.Base64,
        _ => null,
    };
}
