namespace Dashboard.Znodes;

/// <summary>
/// The one place that decides whether this request may change znodes. Today a setting; access control will
/// replace the body with "is the user an operator" without touching the endpoints or pages.
/// </summary>
internal sealed class ZnodeWriteGate(ZnodeOptions options)
{
    /// <summary>Null when allowed, else why not (shown to the person).</summary>
    public string? Refusal(HttpContext context) =>
        options.AllowWrites ? null : "Changes are turned off. An administrator can enable them with the setting Znodes:AllowWrites=true.";

    /// <summary>Who is changing things, for the change record.</summary>
    public static string Actor(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.User.Identity is { IsAuthenticated: true, Name: { } n } ? n : "anonymous";
        return context.Connection.RemoteIpAddress is { } ip ? $"{name} ({ip})" : name;
    }
}

/// <summary>Puts the write gate in front of every change endpoint: a refused request gets the reason, nothing else runs.</summary>
internal sealed class ZnodeWriteGateFilter(ZnodeWriteGate gate) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (gate.Refusal(context.HttpContext) is { } refusal)
            return ZnodeResults.Message(refusal, StatusCodes.Status403Forbidden);
        return await next(context).ConfigureAwait(false);
    }
}
