using Microsoft.AspNetCore.Http.HttpResults;

namespace Dashboard.Znodes;

/// <summary>
/// A refusal, conflict or invalid input is an answer the page shows in place, not a failure. Browsers log every
/// 4xx/5xx as a console error, so for htmx requests the fragment goes out as 200 with the real status in
/// <c>X-Znode-Status</c>; other clients (scripts, tests) get the real status code.
/// </summary>
internal sealed class HtmxAnswerFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var result = await next(context).ConfigureAwait(false);
        var http = context.HttpContext;
        if (result is RazorComponentResult { StatusCode: >= 400 and var status } fragment && http.Request.Headers.ContainsKey("HX-Request"))
        {
            http.Response.Headers["X-Znode-Status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            fragment.StatusCode = StatusCodes.Status200OK;
        }
        return result;
    }
}
