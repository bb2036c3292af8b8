using System.Collections.Concurrent;
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

    /// <summary>Negotiated connections that never connect are forgotten after this.</summary>
    private static readonly TimeSpan Unconnected = TimeSpan.FromMinutes(5);

    private static readonly ConcurrentDictionary<string, Owner> Owners = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        if (!path.StartsWithSegments(HubPath, StringComparison.OrdinalIgnoreCase))
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        if (path.StartsWithSegments(HubPath + "/negotiate", StringComparison.OrdinalIgnoreCase))
        {
            await NegotiateAsync(http).ConfigureAwait(false);
            return;
        }
        var token = http.Request.Query["id"].ToString();
        if (token.Length > 0 && Owners.TryGetValue(token, out var owner))
        {
            if (!string.Equals(owner.Identity, IdentityOf(http.User), StringComparison.Ordinal))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await http.Response.WriteAsync("This live connection belongs to someone else.", http.RequestAborted).ConfigureAwait(false);
                return;
            }
        }
        await next(http).ConfigureAwait(false);
    }

    /// <summary>Forgets a connection once it has closed (from the hub, by its connection id).</summary>
    public static void Forget(string connectionId)
    {
        foreach (var (token, owner) in Owners)
            if (owner.ConnectionId == connectionId) Owners.TryRemove(token, out _);
    }

    public static void Connected(string connectionId)
    {
        foreach (var (token, owner) in Owners)
            if (owner.ConnectionId == connectionId) Owners[token] = owner with { IsConnected = true };
    }

    private async Task NegotiateAsync(HttpContext http)
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
                    Prune();
                    Owners[token] = new Owner(IdentityOf(http.User), connectionId, DateTimeOffset.UtcNow, false);
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

    private static void Prune()
    {
        var cutoff = DateTimeOffset.UtcNow - Unconnected;
        foreach (var (token, owner) in Owners)
            if (!owner.IsConnected && owner.Created < cutoff) Owners.TryRemove(token, out _);
    }

    /// <summary>Who the request is: the identity claim and, for a password sign-in, its session.</summary>
    private static string IdentityOf(ClaimsPrincipal user) =>
        (user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? DashboardPrincipal.Anonymous) + "|" + DashboardPrincipal.SessionOf(user);

    private sealed record Owner(string Identity, string ConnectionId, DateTimeOffset Created, bool IsConnected);
}
