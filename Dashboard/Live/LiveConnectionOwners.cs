using System.Security.Claims;
using System.Text.Json;
using Dashboard.Access;

namespace Dashboard.Live;

/// <summary>
/// Binds each live connection token to the identity that negotiated it. With long polling (and server-sent
/// events) every poll is a plain request naming the connection by its token; without this, a second signed-in user
/// holding that token could read or write the first user's connection. Polls from anyone else are refused 403.
/// </summary>
internal sealed class LiveConnectionOwners(RequestDelegate next)
{
    public const string HubPath = "/hubs/live";

    public async Task InvokeAsync(HttpContext http, LiveConnections connections)
    {
        var path = http.Request.Path;
        if (!path.StartsWithSegments(HubPath, StringComparison.OrdinalIgnoreCase))
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        if (path.StartsWithSegments(HubPath + "/negotiate", StringComparison.OrdinalIgnoreCase))
        {
            await NegotiateAsync(http, connections).ConfigureAwait(false);
            return;
        }
        var token = http.Request.Query["id"].ToString();
        if (token.Length > 0 && connections.OwnerOf(token) is { } owner)
        {
            if (!string.Equals(owner, IdentityOf(http.User), StringComparison.Ordinal))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await http.Response.WriteAsync("This live connection belongs to someone else.", http.RequestAborted).ConfigureAwait(false);
                return;
            }
        }
        await next(http).ConfigureAwait(false);
    }

    private async Task NegotiateAsync(HttpContext http, LiveConnections connections)
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
        if (http.Response.StatusCode == StatusCodes.Status200OK && buffer.Length is > 0 and < 64 * 1024)
        {
            try
            {
                using var json = JsonDocument.Parse(buffer.ToArray());
                var root = json.RootElement;
                if (root.TryGetProperty("connectionId", out var id) && id.GetString() is { } connectionId)
                {
                    var token = root.TryGetProperty("connectionToken", out var t) ? t.GetString() ?? connectionId : connectionId;
                    connections.Negotiated(token, connectionId, IdentityOf(http.User));
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
