namespace Dashboard.Core.FourLetterWords;

/// <summary>What <c>isro</c> says: <c>ro</c>, <c>rw</c>, or <c>null</c> (not serving); no trailing newline.</summary>
public enum ReadOnlyState { Unknown, ReadWrite, ReadOnly, NotServing, Refused }

public static class SimpleAnswers
{
    /// <summary><c>ruok</c> answers <c>imok</c> whenever the process runs, even outside a quorum: liveness only.</summary>
    public static bool IsImOk(string text) => text?.Trim() == "imok";

    public static ReadOnlyState ParseIsro(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (FourLetterWordText.IsWhitelistRefusal(text)) return ReadOnlyState.Refused;
        return text.Trim() switch
        {
            "rw" => ReadOnlyState.ReadWrite,
            "ro" => ReadOnlyState.ReadOnly,
            "null" => ReadOnlyState.NotServing,
            _ => ReadOnlyState.Unknown,
        };
    }
}
