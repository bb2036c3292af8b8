using Dashboard.Core.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Dashboard.Access;

/// <summary>
/// Every request with a session cookie: the cookie is only a pointer to a server-side session. It is refused when
/// that session has ended (signed out, revoked, expired), and the session is ended when its user is no longer in
/// the settings or has another role there now, so a copy of the cookie, a removed user or a demoted user loses
/// access at once, not when the cookie expires.
/// </summary>
internal static class SessionValidation
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        var sessions = http.RequestServices.GetRequiredService<SessionStore>();
        var users = http.RequestServices.GetRequiredService<UserDirectory>();
        var session = await sessions.FindActiveAsync(DashboardPrincipal.SessionOf(context.Principal), http.RequestAborted).ConfigureAwait(false);
        var problem = session is null ? "the session has ended or is unknown"
            : users.RoleOf(session.User) is not { } role ? "the user is no longer in the settings"
            : role != session.Role ? $"the user's role is now {role.Name()}, not {session.Role.Name()}"
            : null;
        if (problem is null) return;
        if (session is not null)
        {
            await sessions.EndAsync(session.Id, "dashboard", problem, CancellationToken.None).ConfigureAwait(false);
            http.RequestServices.GetRequiredService<RequestAudit>().Record(http, AuditActions.SessionEnded, $"session {Short(session.Id)}", AuditOutcome.Succeeded,
                detail: problem, user: session.User);
        }
        context.RejectPrincipal();
        await http.SignOutAsync(AccessSchemes.Cookie).ConfigureAwait(false);
    }

    /// <summary>Enough of a session id to tell sessions apart in the audit log and on the admin page; never the whole id.</summary>
    public static string Short(string id) => id.Length > 8 ? id[..8] : id;
}
