using Dashboard.Core.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Dashboard.Access;

/// <summary>May read: a viewer (or higher), or anyone while anonymous reading is on.</summary>
internal sealed class ReadRequirement : IAuthorizationRequirement;

/// <summary>
/// The fallback for every endpoint that says nothing about authorization, including those other features add
/// later: reading (GET, HEAD) needs <see cref="ReadRequirement"/>, anything else needs an operator. An endpoint
/// opts out only by saying so (<c>RequireAuthorization(...)</c>, <c>[Authorize]</c>, <c>AllowAnonymous()</c>).
/// </summary>
internal sealed class MethodAwareRequirement : IAuthorizationRequirement;

internal sealed class AccessRequirementHandler(AccessMode mode) : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        foreach (var requirement in context.PendingRequirements.ToList())
        {
            var allowed = requirement switch
            {
                ReadRequirement => MayRead(context),
                MethodAwareRequirement => IsReading(context.Resource) ? MayRead(context) : context.User.IsInRole(DashboardRoles.Operator),
                _ => (bool?)null,
            };
            if (allowed == true) context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }

    private bool MayRead(AuthorizationHandlerContext context) =>
        context.User.IsInRole(DashboardRoles.Viewer) || (mode.AnonymousRead && !PresentedBadToken(context));

    // A script whose token is wrong or revoked must hear so (401), not quietly read as anonymous.
    private bool PresentedBadToken(AuthorizationHandlerContext context) =>
        context.Resource is HttpContext http && context.User.Identity?.IsAuthenticated != true
        && AccessServices.SchemeFor(http, mode) == AccessSchemes.ApiToken;

    // Anything but a read (other methods, or a resource we do not know) is treated as a change. Reads are: an HTTP GET
    // or HEAD; the traffic of a circuit (Blazor's hub, whose handshake is a POST); and a page rendered inside a
    // circuit (the resource is its route). Actions inside a circuit check their own roles in the services they call.
    private static bool IsReading(object? resource) => resource switch
    {
        HttpContext http => HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
            || http.Request.Path.StartsWithSegments(StateChangeGuard.CircuitPrefix, StringComparison.OrdinalIgnoreCase),
        Microsoft.AspNetCore.Components.RouteData => true,
        _ => false,
    };
}
