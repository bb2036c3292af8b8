using Dashboard.Access;
using Dashboard.Core.Access;

namespace Dashboard.Znodes;

/// <summary>
/// The one place that decides whether this request may change znodes: the operator role (the access policy
/// already refuses other writers; this also hides the forms from them), unless an administrator turned changes
/// off for everyone with <c>Znodes:AllowWrites=false</c>.
/// </summary>
internal sealed class ZnodeWriteGate(ZnodeOptions options)
{
    /// <summary>Null when allowed, else why not (shown to the person).</summary>
    public string? Refusal(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!options.AllowWrites) return "Changes are turned off. An administrator can enable them with the setting Znodes:AllowWrites=true.";
        return DashboardPrincipal.RoleOf(context.User) is { } role && role.Includes(DashboardRole.Operator)
            ? null
            : "Changing znodes needs the operator role: sign in as an operator.";
    }

    /// <summary>Reads back what <see cref="Actor"/> wrote: the user, and the address when there was one.</summary>
    public static (string User, string? Address) SplitActor(string actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var open = actor.LastIndexOf(" (", StringComparison.Ordinal);
        return open > 0 && actor.EndsWith(')') ? (actor[..open], actor[(open + 2)..^1]) : (actor, null);
    }

    /// <summary>Who is changing things, for the change record: <c>name (address)</c>.</summary>
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
