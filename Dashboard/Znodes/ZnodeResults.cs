using Dashboard.Components.Znodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dashboard.Znodes;

/// <summary>Fragments every znode endpoint answers with.</summary>
internal static class ZnodeResults
{
    /// <summary>A message in place of the part that failed (htmx swaps it in like any fragment).</summary>
    public static RazorComponentResult<ZnodeMessage> Message(string text, int status = StatusCodes.Status200OK, string kind = "warning") =>
        new(new { Text = text, Kind = kind }) { StatusCode = status };
}
