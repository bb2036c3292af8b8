using System.Text.Encodings.Web;
using Dashboard.Core.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Dashboard.Access;

/// <summary>
/// A person already authenticated by a reverse proxy (oauth2-proxy and the like): the user and groups come from
/// its headers, believed only when the connection itself comes from a configured proxy address. The per-request
/// selector only sends such connections here; the address is checked again so this handler is safe on its own.
/// </summary>
internal sealed class TrustedProxyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessMode mode)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const int MaxNameLength = 200;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var proxy = mode.Settings.Proxy;
        if (!mode.IsTrustedProxy(Context.Connection.RemoteIpAddress)) return Task.FromResult(AuthenticateResult.NoResult());
        var name = Request.Headers[proxy.UserHeader].ToString().Trim();
        if (name.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
        if (name.Length > MaxNameLength || name.Any(char.IsControl))
            return Task.FromResult(AuthenticateResult.Fail("The proxy's user header is malformed."));

        var groups = Request.Headers[proxy.GroupsHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var role = RoleFor(groups, proxy);
        var principal = DashboardPrincipal.Create(name, role, "proxy", Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    /// <summary>The highest role any group maps to; the default role when none is mapped.</summary>
    internal static DashboardRole? RoleFor(IEnumerable<string> groups, ProxySettings proxy)
    {
        DashboardRole? best = null;
        foreach (var group in groups)
            if (proxy.GroupRoles.TryGetValue(group, out var name) && DashboardRoles.TryParse(name, out var role) && (best is null || role > best))
                best = role;
        if (best is null && DashboardRoles.TryParse(proxy.DefaultRole, out var fallback)) best = fallback;
        return best;
    }
}
