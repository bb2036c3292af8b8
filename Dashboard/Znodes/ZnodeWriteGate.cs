using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;

namespace Dashboard.Znodes;

/// <summary>
/// The one rule that decides whether a person may change znodes: the operator role, unless an administrator
/// turned changes off for everyone with <c>Znodes:AllowWrites=false</c>. It takes the principal, not a request,
/// because a circuit has no request: the page, the HTTP endpoints and the tests ask the same question.
/// </summary>
internal sealed class ZnodeWriteGate(ZnodeOptions options)
{
    public const string WritesOff = "Changes are turned off. An administrator can enable them with the setting Znodes:AllowWrites=true.";
    public const string NeedsOperator = "Changing znodes needs the operator role: sign in as an operator.";

    /// <summary>Null when allowed, else why not (shown to the person).</summary>
    public string? Refusal(ClaimsPrincipal? user)
    {
        if (!options.AllowWrites) return WritesOff;
        return DashboardPrincipal.RoleOf(user) is { } role && role.Includes(DashboardRole.Operator) ? null : NeedsOperator;
    }

    /// <summary>ACL changes need the admin role (the writer enforces it; this only decides whether the form is offered).</summary>
    public static bool IsAdmin(ClaimsPrincipal? user) => DashboardPrincipal.RoleOf(user) is { } role && role.Includes(DashboardRole.Admin);

    /// <summary>Reads back what <see cref="Actor"/> wrote: the user, and the address when there was one.</summary>
    public static (string User, string? Address) SplitActor(string actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var open = actor.LastIndexOf(" (", StringComparison.Ordinal);
        return open > 0 && actor.EndsWith(')') ? (actor[..open], actor[(open + 2)..^1]) : (actor, null);
    }

    /// <summary>Who is changing things, for the change record: <c>name (address)</c>.</summary>
    public static string Actor(ClaimsPrincipal? user, string? address)
    {
        var name = DashboardPrincipal.NameOf(user);
        return address is { Length: > 0 } ? $"{name} ({address})" : name;
    }
}
