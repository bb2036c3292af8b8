using System.Security.Claims;
using Dashboard.Core.Access;

namespace Dashboard.Access;

/// <summary>The identity every scheme produces: a name, a kind (password, proxy, token) and one role claim per included role.</summary>
internal static class DashboardPrincipal
{
    public const string Anonymous = "anonymous";

    /// <summary>Claim holding the id of the server-side session a cookie belongs to (see <see cref="SessionStore"/>).</summary>
    public const string SessionClaim = "dashboard:session";

    public static ClaimsPrincipal Create(string name, DashboardRole? role, string via, string scheme, string? sessionId = null)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, name),
            // Antiforgery tokens are bound to this claim, so a token minted for one identity fails for another.
            new(ClaimTypes.NameIdentifier, $"{via}:{name}"),
            new(AccessSchemes.ViaClaim, via),
        };
        if (sessionId is not null) claims.Add(new(SessionClaim, sessionId));
        if (role is { } r) claims.AddRange(r.WithIncluded().Select(included => new Claim(ClaimTypes.Role, included.Name())));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static string NameOf(ClaimsPrincipal? user) =>
        user?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : Anonymous;

    /// <summary>The highest role the user holds, or null.</summary>
    public static DashboardRole? RoleOf(ClaimsPrincipal? user) =>
        user is null ? null : DashboardRoles.All.Where(r => user.IsInRole(r.Name())).Select(r => (DashboardRole?)r).LastOrDefault();

    public static string? SessionOf(ClaimsPrincipal? user) => user?.FindFirst(SessionClaim)?.Value;

    public static bool IsApiToken(ClaimsPrincipal? user) => user?.FindFirst(AccessSchemes.ViaClaim)?.Value == "token";
}
