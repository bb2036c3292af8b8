using System.Security.Claims;
using Dashboard.Core.Access;

namespace Dashboard.Access;

/// <summary>
/// Listing and ending sign-in sessions, for the admin page (an open circuit, which no HTTP middleware checks): the
/// admin check and the audit entry live here, taking the asker as a principal, so every caller gets the same rule.
/// </summary>
internal sealed class SessionAdmin(SessionStore sessions, IAuditLog log, TimeProvider time)
{
    public async Task<IReadOnlyList<DashboardSession>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        Demand(user);
        return await sessions.ListActiveAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends one session; false when there is no such active session or the asker is no admin.</summary>
    public async Task<bool> RevokeAsync(ClaimsPrincipal user, string? address, string id, CancellationToken cancellationToken = default)
    {
        var target = $"session {SessionValidation.Short(id ?? "")}";
        if (!Allowed(user, address, "session-revoke", target)) return false;
        var before = await sessions.EndAsync(id ?? "", DashboardPrincipal.NameOf(user), "revoked by an admin", cancellationToken).ConfigureAwait(false);
        Record(user, address, target, before is null ? AuditOutcome.Failed : AuditOutcome.Succeeded,
            before: before is null ? null : $"user {before.User}, role {before.Role.Name()}, active", after: before is null ? null : "revoked",
            detail: before is null ? "no such active session" : "revoked by an admin");
        return before is not null;
    }

    /// <summary>Ends every session of a user; returns how many (0 when the asker is no admin).</summary>
    public async Task<int> RevokeAllAsync(ClaimsPrincipal user, string? address, string userName, CancellationToken cancellationToken = default)
    {
        var name = userName?.Trim() ?? "";
        if (!Allowed(user, address, "session-revoke-all", $"user {name}")) return 0;
        var count = await sessions.EndAllForUserAsync(name, DashboardPrincipal.NameOf(user), "all sessions of the user revoked by an admin", cancellationToken).ConfigureAwait(false);
        Record(user, address, $"user {name}", count > 0 ? AuditOutcome.Succeeded : AuditOutcome.Failed,
            detail: count > 0 ? $"{count} session(s) revoked by an admin" : "the user has no active session");
        return count;
    }

    private bool Allowed(ClaimsPrincipal user, string? address, string action, string target)
    {
        if (user?.IsInRole(DashboardRoles.Admin) == true) return true;
        log.Record(new AuditEntry(time.GetUtcNow(), DashboardPrincipal.NameOf(user), address, action, target, AuditOutcome.Denied)
            { Detail = "only an admin ends other people's sessions" });
        return false;
    }

    private void Record(ClaimsPrincipal user, string? address, string target, AuditOutcome outcome, string? before = null, string? after = null, string? detail = null) =>
        log.Record(new AuditEntry(time.GetUtcNow(), DashboardPrincipal.NameOf(user), address, AuditActions.SessionEnded, target, outcome)
            { Before = before, After = after, Detail = detail });

    private static void Demand(ClaimsPrincipal user)
    {
        if (user is null || !user.IsInRole(DashboardRoles.Admin)) throw new UnauthorizedAccessException("Only an admin lists sessions.");
    }
}
