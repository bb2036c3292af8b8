using System.Security.Claims;
using System.Text.Json;

namespace Dashboard.Access;

/// <summary>
/// Binds each connection token of Blazor's circuit hub to the identity that negotiated it. With long polling (and
/// server-sent events) every poll is a plain request naming the connection by its token, and ASP.NET Core does not
/// compare the poll's user with the negotiating one (a test shows a second user's poll answered 200 without this):
/// a second signed-in user holding the token could read or drive the first user's circuit. Polls from anyone
/// else are refused 403.
/// </summary>
internal sealed class HubConnectionOwners(RequestDelegate next)
{
    private const int MaxNegotiateAnswer = 64 * 1024;

    public async Task InvokeAsync(HttpContext http, HubConnectionRegistry connections)
    {
        var path = http.Request.Path;
        if (!path.StartsWithSegments(StateChangeGuard.CircuitPrefix, StringComparison.OrdinalIgnoreCase))
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        if (path.StartsWithSegments(StateChangeGuard.CircuitPrefix + "/negotiate", StringComparison.OrdinalIgnoreCase))
        {
            await NegotiateAsync(http, connections).ConfigureAwait(false);
            return;
        }
        var token = http.Request.Query["id"].ToString();
        // A token this replica did not see negotiated (or forgot) is refused too: its circuit simply negotiates anew.
        if (token.Length > 0 && !string.Equals(connections.OwnerOf(token), IdentityOf(http.User), StringComparison.Ordinal))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Response.WriteAsync("This live connection is not known here or belongs to someone else.", http.RequestAborted).ConfigureAwait(false);
            return;
        }
        await next(http).ConfigureAwait(false);
    }

    /// <summary>Lets the negotiate answer through and records whose its connection token is.</summary>
    private async Task NegotiateAsync(HttpContext http, HubConnectionRegistry connections)
    {
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http).ConfigureAwait(false);
        }
        finally
        {
            http.Response.Body = original;
        }
        if (http.Response.StatusCode == StatusCodes.Status200OK && buffer.Length is > 0 and < MaxNegotiateAnswer)
        {
            try
            {
                using var json = JsonDocument.Parse(buffer.ToArray());
                var root = json.RootElement;
                if (root.TryGetProperty("connectionId", out var id) && id.GetString() is { } connectionId)
                {
                    var token = root.TryGetProperty("connectionToken", out var t) ? t.GetString() ?? connectionId : connectionId;
                    connections.Negotiated(token, IdentityOf(http.User));
                }
            }
            catch (JsonException)
            {
                // not a negotiate answer we know: nothing to bind
            }
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Who the request is: the identity claim and, for a password sign-in, its session.</summary>
    private static string IdentityOf(ClaimsPrincipal user) =>
        (user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? DashboardPrincipal.Anonymous) + "|" + DashboardPrincipal.SessionOf(user);
}
