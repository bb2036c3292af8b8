using System.Globalization;

namespace Dashboard.Api;

/// <summary>
/// A time range from query parameters: ISO 8601 (<c>2026-11-21T03:12:00Z</c>) or a browser's datetime-local
/// value (<c>2026-11-21T03:12</c>, read as UTC). Bad input gives a message naming the parameter, never an exception.
/// </summary>
internal readonly record struct TimeRange(DateTimeOffset From, DateTimeOffset To)
{
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(400);

    public static bool TryParse(string? from, string? to, TimeSpan defaultSpan, DateTimeOffset now, out TimeRange range, out string? error)
    {
        range = default;
        error = null;
        var end = now;
        if (!string.IsNullOrWhiteSpace(to) && !TryParseTime(to, out end)) { error = $"'to' is not a time: '{to}' (use ISO 8601, e.g. 2026-11-21T03:12:00Z)"; return false; }
        var start = end - defaultSpan;
        if (!string.IsNullOrWhiteSpace(from) && !TryParseTime(from, out start)) { error = $"'from' is not a time: '{from}' (use ISO 8601, e.g. 2026-11-21T03:12:00Z)"; return false; }
        if (start > end) { error = "'from' is after 'to'"; return false; }
        if (end - start > MaxSpan) { error = $"the range is longer than {MaxSpan.TotalDays:0} days"; return false; }
        range = new TimeRange(start, end);
        return true;
    }

    public static bool TryParseTime(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    /// <summary>The value a datetime-local input shows for a UTC time.</summary>
    public static string ForInput(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
}
