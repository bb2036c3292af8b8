using Dashboard.Components.Znodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dashboard.Znodes;

/// <summary>Fragments every znode endpoint answers with.</summary>
internal static class ZnodeResults
{
    /// <summary>A message as the HTTP answer of a change or export that failed or was refused.</summary>
    public static RazorComponentResult<ZnodeMessage> Message(string text, int status = StatusCodes.Status200OK, string kind = "warning") =>
        new(new { Text = text, Kind = kind }) { StatusCode = status };
}
