using MudBlazor;

namespace Dashboard.Components.Layout;

/// <summary>
/// The one theme of the interactive pages: calm neutrals so state colours (leader, down, no quorum) stand out on a
/// wall screen, in light and dark.
/// </summary>
internal static class DashboardTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5fa8",
            Secondary = "#5c6b7a",
            AppbarBackground = "#17324d",
            Background = "#f5f7fa",
            DrawerBackground = "#ffffff",
            Success = "#2e7d32",
            Warning = "#b26a00",
            Error = "#c62828",
            Info = "#0277bd",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7fb2ee",
            Secondary = "#9aa8b6",
            AppbarBackground = "#0f1b28",
            Background = "#121820",
            Surface = "#1a222c",
            DrawerBackground = "#151c25",
            Success = "#66bb6a",
            Warning = "#ffb74d",
            Error = "#ef5350",
            Info = "#4fc3f7",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "6px" },
    };
}
