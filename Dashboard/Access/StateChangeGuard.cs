using Dashboard.Core.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;

namespace Dashboard.Access;

/// <summary>
/// Cross-site request forgery defence for every state-changing request, whichever feature added the endpoint:
/// a POST, PUT, PATCH or DELETE must carry a valid antiforgery token (a form field, or the
/// <c>RequestVerificationToken</c> header for scripts). API-token requests are exempt: a browser never adds that
/// header by itself. Blazor's circuit hub cannot carry the token on a WebSocket, so there, and on every unsafe
/// request, a browser's <c>Origin</c> must be this site.
/// </summary>
internal sealed class StateChangeGuard(RequestDelegate next, IAntiforgery antiforgery, RequestAudit audit)
{
    /// <summary>The circuits of interactive pages (Blazor's own hub): checked by origin, not by token.</summary>
    public const string CircuitPrefix = "/_blazor";

    private static bool ToHub(HttpRequest request) =>
        request.Path.StartsWithSegments(CircuitPrefix, StringComparison.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var changes = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method));
        var toHub = ToHub(request);
        if ((changes || toHub) && !IsSameOrigin(request))
        {
            await RefuseAsync(context, "the request came from another site").ConfigureAwait(false);
            return;
        }
        if (changes && !toHub && !DashboardPrincipal.IsApiToken(context.User) && !OptedOut(context))
        {
            if (!await HasValidTokenAsync(context).ConfigureAwait(false))
            {
                await RefuseAsync(context, "the antiforgery token is missing or invalid; reload the page and try again").ConfigureAwait(false);
                return;
            }
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs before authorization: a refused change, API or hub request is answered with its bare status, not
    /// re-executed as a status page. Re-executing keeps the method, and a POST to the status page would then be
    /// judged (and refused) a second time, hiding the real answer.
    /// </summary>
    public static Task AnswerChangesWithBareStatus(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var bare = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || ToHub(request);
        if (bare && context.Features.Get<IStatusCodePagesFeature>() is { } statusPages) statusPages.Enabled = false;
        return next(context);
    }

    private async Task<bool> HasValidTokenAsync(HttpContext context)
    {
        // UseAntiforgery has already judged endpoints that bind forms; reading the form again after a failed check throws.
        if (context.Features.Get<IAntiforgeryValidationFeature>() is { } checkedAlready) return checkedAlready.IsValid;
        try
        {
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    private static bool OptedOut(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Antiforgery.IAntiforgeryMetadata>() is { RequiresValidation: false };

    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        // No Origin: not a cross-site browser request (browsers send it on cross-site POSTs and WebSockets).
        if (origin.Length == 0) return true;
        // Scheme too: a page served over plain http (a network attacker's) is another origin than this https site.
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private async Task RefuseAsync(HttpContext context, string reason)
    {
        audit.Record(context, AuditActions.AntiforgeryRejected, $"{context.Request.Method} {context.Request.Path}", AuditOutcome.Denied, detail: reason);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"Refused: {reason}.", context.RequestAborted).ConfigureAwait(false);
    }
}
