using Dashboard.Core.Access;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Dashboard.Access;

/// <summary>
/// An open interactive page keeps the user it was opened with until this says otherwise: every
/// <see cref="Interval"/> the circuit's sign-in is checked against the server session and the settings, so a
/// signed-out or revoked session, a removed user or a changed role loses the page within that time (the circuit
/// re-renders as not authorized). Requests are checked by <see cref="SessionValidation"/>; this is the same rule
/// for circuits, which send no more requests once open.
/// </summary>
internal sealed class CircuitAuthenticationRevalidation(ILoggerFactory loggerFactory, SessionStore sessions, UserDirectory users)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(20);

    protected override TimeSpan RevalidationInterval => Interval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        if (user.Identity?.IsAuthenticated != true) return true;
        // Only password sign-ins have a server session; a trusted proxy's user is re-checked by the proxy on each request.
        if (DashboardPrincipal.SessionOf(user) is not { } id) return true;
        var session = await sessions.FindActiveAsync(id, cancellationToken).ConfigureAwait(false);
        return session is not null && users.RoleOf(session.User) == session.Role && DashboardPrincipal.RoleOf(user) == session.Role;
    }
}
