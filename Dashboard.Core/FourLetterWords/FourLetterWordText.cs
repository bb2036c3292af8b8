namespace Dashboard.Core.FourLetterWords;

/// <summary>
/// The plain-text answers a server gives instead of data. Neither comes with an error code, so every parser
/// checks for them before reading fields.
/// </summary>
public static class FourLetterWordText
{
    private const string WhitelistRefusalTail = "is not executed because it is not in the whitelist";

    /// <summary><c>&lt;cmd&gt; is not executed because it is not in the whitelist.</c> (3.5.3+ default: only srvr allowed).</summary>
    public static bool IsWhitelistRefusal(string text) =>
        text is not null && text.Contains(WhitelistRefusalTail, StringComparison.Ordinal);

    /// <summary>During an election, or on a leader with <c>leaderServes=no</c>.</summary>
    public static bool IsNotServing(string text) =>
        text is not null && text.Contains(SrvrResponse.NotServingText, StringComparison.Ordinal);
}
