using System.Globalization;
using Dashboard.Core.Ensemble;

namespace Dashboard.Model;

/// <summary>How figures read on screen: with units, and a dash for what a node did not report.</summary>
internal static class Display
{
    public static string Role(NodeRole role) => role switch
    {
        NodeRole.NotServing => "not serving",
        NodeRole.ReadOnly => "read-only",
        _ => role.ToString().ToLowerInvariant(),
    };

    /// <summary>Lower-case single word for the API and data attributes.</summary>
    public static string RoleWord(NodeRole role) => role switch
    {
        NodeRole.NotServing => "not-serving",
        NodeRole.ReadOnly => "read-only",
        _ => role.ToString().ToLowerInvariant(),
    };

    /// <summary>A topic's share on its preferred leader; "unknown" (never 100 %) when unreadable, "deleting" when queued for deletion.</summary>
    public static string Share(Dashboard.Core.Kafka.TopicHealth topic) =>
        topic.PreferredLeaderShare is { } share ? (share * 100).ToString("0", CultureInfo.InvariantCulture) + " %"
        : topic.MarkedForDeletion && !topic.Unreadable ? "– (being deleted)" : "unknown";

    public static string Number(long? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "–";

    public static string Ms(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) + " ms" : "–";

    public static string Bytes(long? value) => value switch
    {
        null => "–",
        < 1024 => $"{value} B",
        < 1024 * 1024 => (value.Value / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => (value.Value / 1024.0 / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
    };

    public static string Duration(TimeSpan? value) => value switch
    {
        null => "–",
        { TotalDays: >= 1 } d => $"{(int)d.TotalDays} d {d.Hours} h",
        { TotalHours: >= 1 } d => $"{(int)d.TotalHours} h {d.Minutes} min",
        { TotalMinutes: >= 1 } d => $"{(int)d.TotalMinutes} min {d.Seconds} s",
        var d => $"{d.Value.TotalSeconds:0} s",
    };

    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string SeverityClass(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => "danger",
        FindingSeverity.Warning => "warning",
        _ => "info",
    };
}
