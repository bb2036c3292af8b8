using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;
using Microsoft.AspNetCore.Components.Routing;

namespace Dashboard.Components.Layout;

/// <summary>A section in the side navigation; <paramref name="MinimumRole"/> null means every reader sees it.</summary>
internal sealed record NavigationSection(string Title, string Href, NavLinkMatch Match = NavLinkMatch.Prefix, DashboardRole? MinimumRole = null);

/// <summary>
/// The sections that exist today; a section joins this list when its page exists.
/// tests follow every link a role is shown to check none is dead or forbidden for that role.
/// </summary>
internal static class NavigationSections
{
    public static readonly IReadOnlyList<NavigationSection> All =
    [
        new("Overview", "/", NavLinkMatch.All),
        new("Ensemble", "/ensemble"),
        new("Znodes", "/znodes"),
        new("Kafka", "/kafka"),
        new("History", "/history"),
        new("Maintenance", "/maintenance", MinimumRole: DashboardRole.Operator),
        new("Audit log", "/admin/audit", MinimumRole: DashboardRole.Admin),
        new("API tokens", "/admin/tokens", MinimumRole: DashboardRole.Admin),
        new("Sessions", "/admin/sessions", MinimumRole: DashboardRole.Admin),
        new("Membership", "/membership", MinimumRole: DashboardRole.Admin),
    ];

    /// <summary>Only what this user may open: the navigation never shows a forbidden link.</summary>
    public static IEnumerable<NavigationSection> VisibleTo(ClaimsPrincipal? user, bool anonymousRead)
    {
        var role = DashboardPrincipal.RoleOf(user);
        return All.Where(s => s.MinimumRole is { } needed ? role is { } r && r.Includes(needed) : role is not null || anonymousRead);
    }
}
