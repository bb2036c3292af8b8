using Microsoft.AspNetCore.Components.Routing;

namespace Dashboard.Components.Layout;

/// <summary>A section in the side navigation.</summary>
internal sealed record NavigationSection(string Title, string Href, NavLinkMatch Match = NavLinkMatch.Prefix);

/// <summary>
/// The sections that exist today. Ensemble, Znodes, Kafka, History and Maintenance join this list as they land;
/// a test follows every link to check none is dead.
/// </summary>
internal static class NavigationSections
{
    public static readonly IReadOnlyList<NavigationSection> All =
    [
        new("Overview", "/", NavLinkMatch.All),
        // Lists the clusters with a link to each one's browser, so the entry works with no cluster configured.
        new("Znodes", "/znodes"),
    ];
}
