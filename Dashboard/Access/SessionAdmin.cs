using System.Security.Claims;
using Dashboard.Core.Access;

namespace Dashboard.Access;

/// <summary>
/// Listing and ending sign-in sessions, for the admin page (and any later UI): the admin check and the audit
/// entry live here, so every caller gets the same rule.
/// </summary>
internal sealed class SessionAdmin(SessionStore sessions, RequestAudit audit)
{
    public async Task<IReadOnlyList<DashboardSession>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        Demand(user);
        return await sessions.ListActiveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends one session; false when there is no such active session.</summary>
    public async Task<bool> RevokeAsync(HttpContext http, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!Allowed(http, "session-revoke", $"session {SessionValidation.Short(id ?? "")}")) return false;
        var by = DashboardPrincipal.NameOf(http.User);
        var before = await sessions.EndAsync(id ?? "", by, "revoked by an admin", cancellationToken).ConfigureAwait(false);
        audit.Record(http, AuditActions.SessionEnded, $"session {SessionValidation.Short(id ?? "")}", before is null ? AuditOutcome.Failed : AuditOutcome.Succeeded,
            before: before is null ? null : $"user {before.User}, role {before.Role.Name()}, active", after: before is null ? null : "revoked",
            detail: before is null ? "no such active session" : "revoked by an admin");
        return before is not null;
    }

    /// <summary>Ends every session of a user; returns how many.</summary>
    public async Task<int> RevokeAllAsync(HttpContext http, string userName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        var name = userName?.Trim() ?? "";
        if (!Allowed(http, "session-revoke-all", $"user {name}")) return 0;
        var count = await sessions.EndAllForUserAsync(name, DashboardPrincipal.NameOf(http.User), "all sessions of the user revoked by an admin", cancellationToken).ConfigureAwait(false);
        audit.Record(http, AuditActions.SessionEnded, $"user {name}", count > 0 ? AuditOutcome.Succeeded : AuditOutcome.Failed,
            detail: count > 0 ? $"{count} session(s) revoked by an admin" : "the user has no active session");
        return count;
    }

    private bool Allowed(HttpContext http, string action, string target)
    {
        if (http.User.IsInRole(DashboardRoles.Admin)) return true;
        audit.Record(http, action, target, AuditOutcome.Denied, detail: "only an admin ends other people's sessions");
        return false;
    }

    private static void Demand(ClaimsPrincipal user)
    {
        if (user is null || !user.IsInRole(DashboardRoles.Admin)) throw new UnauthorizedAccessException("Only an admin lists sessions.");
    }
}
