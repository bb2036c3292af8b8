using Dashboard.Core.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Dashboard.Access;

/// <summary>
/// The sign-in form's target (rate-limited per client address, antiforgery-checked, locked out per name after
/// repeated failures) and sign-out. Answers are redirects back to pages, so the browser never shows a bare POST result.
/// </summary>
internal static class SignInEndpoints
{
    public const string SignInPage = "/sign-in";
    public const string SignInPath = "/auth/sign-in";
    public const string SignOutPath = "/auth/sign-out";
    public const string WhoAmIPath = "/api/me";
    public const string RateLimitPolicy = "sign-in";
    private const int MaxPasswordLength = 1_024;

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SignInPath, SignInAsync).AllowAnonymous().RequireRateLimiting(RateLimitPolicy);
        // Anyone may sign out (it only drops their own cookie); the antiforgery check stops other sites doing it for them.
        endpoints.MapPost(SignOutPath, SignOutAsync).AllowAnonymous();
        // Who am I, for scripts checking their token; reading, so the fallback policy applies.
        endpoints.MapGet(WhoAmIPath, (HttpContext http) => Results.Ok(new
        {
            name = DashboardPrincipal.NameOf(http.User),
            role = DashboardPrincipal.RoleOf(http.User)?.Name(),
            via = http.User.FindFirst(AccessSchemes.ViaClaim)?.Value,
        }));
        return endpoints;
    }

    private static async Task<IResult> SignInAsync(HttpContext http, [FromForm] string? name, [FromForm] string? password, [FromForm] string? returnUrl,
        UserDirectory users, SignInLockout lockout, RequestAudit audit, AccessMode mode, TimeProvider time, SessionStore sessions)
    {
        name = name?.Trim() ?? "";
        var back = LocalUrl(returnUrl);
        if (!AccessSettingsValidation.IsValidUserName(name) || password is not { Length: > 0 and <= MaxPasswordLength })
            return Results.Redirect(FormUrl("failed", back));

        // Reserved before the (slow) password check, so attempts sent at once cannot pass the limit together.
        if (lockout.Begin(name) is { } until)
        {
            audit.Record(http, AuditActions.SignIn, name, AuditOutcome.Denied, detail: $"locked out until {until:u}", user: name);
            return Results.Redirect(FormUrl("locked", back));
        }

        var user = users.Verify(name, password);
        if (user is null)
        {
            var lockedNow = lockout.RecordFailure(name);
            audit.Record(http, AuditActions.SignIn, name, AuditOutcome.Failed,
                detail: lockedNow is { } l ? $"wrong name or password; locked out until {l:u}" : "wrong name or password", user: name);
            return Results.Redirect(FormUrl(lockedNow is null ? "failed" : "locked", back));
        }

        lockout.RecordSuccess(name);
        DashboardRoles.TryParse(user.Role, out var role);
        // The cookie carries the id of a session the server keeps: signing out or a revocation ends every copy of it.
        var session = await sessions.CreateAsync(user.Name.Trim(), role, audit.AddressOf(http), http.RequestAborted).ConfigureAwait(false);
        var principal = DashboardPrincipal.Create(user.Name.Trim(), role, "password", AccessSchemes.Cookie, session.Id);
        await http.SignInAsync(AccessSchemes.Cookie, principal, new AuthenticationProperties
        {
            IsPersistent = false,
            ExpiresUtc = time.GetUtcNow() + mode.Settings.SessionLifetime,
        }).ConfigureAwait(false);
        audit.Record(http, AuditActions.SignIn, user.Name, AuditOutcome.Succeeded, detail: $"role {role.Name()}, session {SessionValidation.Short(session.Id)}", user: user.Name);
        return Results.Redirect(back ?? "/");
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, RequestAudit audit, SessionStore sessions)
    {
        if (http.User.Identity?.IsAuthenticated == true)
        {
            // Ends the session on the server, so a copy of the cookie (another tab, a stolen one) is refused too.
            if (DashboardPrincipal.SessionOf(http.User) is { } id) await sessions.EndAsync(id, DashboardPrincipal.NameOf(http.User), "signed out", http.RequestAborted).ConfigureAwait(false);
            audit.Record(http, AuditActions.SignOut, DashboardPrincipal.NameOf(http.User), AuditOutcome.Succeeded);
            await http.SignOutAsync(AccessSchemes.Cookie).ConfigureAwait(false);
        }
        return Results.Redirect(SignInPage);
    }

    private static string FormUrl(string error, string? back) =>
        $"{SignInPage}?error={error}" + (back is null ? "" : "&returnUrl=" + Uri.EscapeDataString(back));

    /// <summary>
    /// Only a path on this site: an open redirect would let a link send people elsewhere after signing in. No
    /// control character (browsers drop a tab, so "/\t/evil.example" would become "//evil.example") and no backslash
    /// (read as '/'), and it must stay a path when resolved against this site.
    /// </summary>
    internal static string? LocalUrl(string? url) =>
        url is { Length: > 0 and <= 2_000 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal)
        && !url.Any(c => char.IsControl(c) || c == '\\')
        && Uri.TryCreate(new Uri("http://local.invalid"), url, out var resolved) && resolved.Host == "local.invalid"
            ? url : null;
}
