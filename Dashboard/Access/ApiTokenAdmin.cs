using System.Security.Claims;
using Dashboard.Core.Access;

namespace Dashboard.Access;

/// <summary>What a token action came to: the token issued (its secret, shown once), or why nothing happened.</summary>
internal sealed record TokenOutcome(bool Succeeded, string Message, IssuedApiToken? Issued = null, bool Forbidden = false);

/// <summary>
/// Creating, listing and revoking API tokens for the admin page. The page is an open circuit, which no HTTP middleware
/// checks: the admin check and the audit entry live here, taking the asker as a principal, so the rule holds for
/// every caller. A refusal is audited as denied, with what was asked for.
/// </summary>
internal sealed class ApiTokenAdmin(ApiTokenStore tokens, IAuditLog log, TimeProvider time)
{
    /// <summary>Used when the asker's address is not known (a circuit has no request of its own).</summary>
    public const string CircuitAddress = "circuit";

    public static bool MayManage(ClaimsPrincipal? user) => user?.IsInRole(DashboardRoles.Admin) == true;

    /// <summary>Every token, newest first; nothing for someone who is no admin (names and roles of tokens are an admin's business).</summary>
    public async Task<IReadOnlyList<ApiToken>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        MayManage(user) ? await tokens.ListAsync(cancellationToken).ConfigureAwait(false) : [];

    public async Task<TokenOutcome> CreateAsync(ClaimsPrincipal user, string? address, string? name, string? role, CancellationToken cancellationToken = default)
    {
        var trimmed = name?.Trim() ?? "";
        if (!MayManage(user)) return Refuse(user, address, AuditActions.TokenCreated, "token (new)", $"name {trimmed}, role {role}");
        if (trimmed.Length is 0 or > ApiTokenStore.MaxNameLength || !DashboardRoles.TryParse(role, out var parsed))
            return new(false, $"Give the token a name (1 to {ApiTokenStore.MaxNameLength} characters) and a role.");
        var issued = await tokens.CreateAsync(trimmed, parsed, DashboardPrincipal.NameOf(user), cancellationToken).ConfigureAwait(false);
        Record(user, address, AuditActions.TokenCreated, $"token {issued.Token.Id}", AuditOutcome.Succeeded, after: $"name {trimmed}, role {parsed.Name()}");
        return new(true, $"Token {trimmed} ({parsed.Name()}) created.", issued);
    }

    public async Task<TokenOutcome> RevokeAsync(ClaimsPrincipal user, string? address, string? id, CancellationToken cancellationToken = default)
    {
        var target = $"token {id}";
        if (!MayManage(user)) return Refuse(user, address, AuditActions.TokenRevoked, target, null);
        var before = await tokens.RevokeAsync(id ?? "", DashboardPrincipal.NameOf(user), cancellationToken).ConfigureAwait(false);
        Record(user, address, AuditActions.TokenRevoked, target, before is null ? AuditOutcome.Failed : AuditOutcome.Succeeded,
            before: before is null ? null : $"name {before.Name}, role {before.Role.Name()}, active", after: before is null ? null : "revoked",
            detail: before is null ? "no such active token" : null);
        return before is null
            ? new(false, "That token does not exist or is already revoked.")
            : new(true, $"Token {before.Name} revoked: scripts using it are refused from now on.");
    }

    private TokenOutcome Refuse(ClaimsPrincipal user, string? address, string action, string target, string? asked)
    {
        Record(user, address, action, target, AuditOutcome.Denied, after: asked, detail: $"refused: role {DashboardPrincipal.RoleOf(user)?.Name() ?? "none"}, admin needed");
        return new(false, "Only an admin manages API tokens.", Forbidden: true);
    }

    private void Record(ClaimsPrincipal user, string? address, string action, string target, AuditOutcome outcome,
        string? before = null, string? after = null, string? detail = null) =>
        log.Record(new AuditEntry(time.GetUtcNow(), DashboardPrincipal.NameOf(user), address ?? CircuitAddress, action, target, outcome)
            { Before = before, After = after, Detail = detail });
}
