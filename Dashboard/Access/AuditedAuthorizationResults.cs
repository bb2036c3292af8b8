using Dashboard.Core.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Dashboard.Access;

/// <summary>Every refusal by authorization (401 or 403) becomes an audit entry before the usual answer is sent.</summary>
internal sealed class AuditedAuthorizationResults(RequestAudit audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Challenged || authorizeResult.Forbidden)
        {
            var reason = authorizeResult.Challenged ? "not signed in" : $"role {DashboardPrincipal.RoleOf(context.User)?.Name() ?? "none"} is not enough";
            audit.Record(context, AuditActions.AccessDenied, $"{context.Request.Method} {Truncate(context.Request.Path.Value)}", AuditOutcome.Denied,
                detail: reason);
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }

    private static string? Truncate(string? path) => path is { Length: > 500 } ? path[..500] : path;
}
