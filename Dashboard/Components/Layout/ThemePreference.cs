namespace Dashboard.Components.Layout;

/// <summary>
/// Light or dark, remembered per browser in a cookie (not local storage) so the server renders the first paint in
/// the right theme: no flash of the other one. The cookie holds nothing but the word.
/// </summary>
internal static class ThemePreference
{
    public const string CookieName = "theme";

    public static bool IsDark(string? cookie) => string.Equals(cookie, "dark", StringComparison.Ordinal);
}
