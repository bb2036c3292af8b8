using Dashboard.Core.Ensemble;
using MudBlazor;

namespace Dashboard.Components.Controls;

/// <summary>One mapping from a finding's severity to the theme's colours and alert kinds.</summary>
internal static class SeverityColors
{
    public static Color Of(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => Color.Error,
        FindingSeverity.Warning => Color.Warning,
        _ => Color.Info,
    };

    public static Severity AlertOf(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => Severity.Error,
        FindingSeverity.Warning => Severity.Warning,
        _ => Severity.Info,
    };
}
