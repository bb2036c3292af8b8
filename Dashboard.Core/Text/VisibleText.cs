using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Dashboard.Core.Text;

/// <summary>One run of a name or value as shown: plain text, or a character that would hide itself, marked.</summary>
/// <param name="Text">The text of the run; for a marked character, its visible mark such as <c>[U+202E RLO]</c>.</param>
/// <param name="IsMark">True for a marked character (the screen shows it as a badge, not as the character itself).</param>
public readonly record struct VisibleRun(string Text, bool IsMark);

/// <summary>
/// Names and values that could disguise themselves: bidirectional controls (U+202A-202E, U+2066-2069) reorder what
/// follows them, so <c>evil\u202Etxt.exe</c> reads as <c>evilexe.txt</c>; zero-width characters (U+200B-200D, U+2060,
/// U+FEFF) make two different names look the same. Wherever a name or value is shown they become visible marks.
/// A typed confirmation accepts the name as shown (<see cref="Shown"/>) as well as the exact name.
/// </summary>
public static class VisibleText
{
    public static bool IsDisguising(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')
        or (>= '\u200B' and <= '\u200D') or '\u2060' or '\uFEFF';

    public static bool HasDisguise(string? text) => text is not null && text.AsSpan().IndexOfAny(Disguising) >= 0;

    /// <summary>The text split into plain runs and marks (one run when nothing is hidden, which is the usual case).</summary>
    public static ImmutableArray<VisibleRun> Runs(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        if (!HasDisguise(text)) return [new VisibleRun(text, false)];
        var runs = ImmutableArray.CreateBuilder<VisibleRun>();
        var plain = new StringBuilder();
        foreach (var c in text)
        {
            if (!IsDisguising(c))
            {
                plain.Append(c);
                continue;
            }
            if (plain.Length > 0) runs.Add(new VisibleRun(plain.ToString(), false));
            plain.Clear();
            runs.Add(new VisibleRun(Mark(c), true));
        }
        if (plain.Length > 0) runs.Add(new VisibleRun(plain.ToString(), false));
        return runs.ToImmutable();
    }

    /// <summary>The text as one string with every hiding character replaced by its mark: for titles, logs, audit lines.</summary>
    public static string Shown(string? text) => text is null ? "" : HasDisguise(text) ? string.Concat(Runs(text).Select(r => r.Text)) : text;

    /// <summary>Whether what a person typed names <paramref name="actual"/>: the exact text, or the text as shown.</summary>
    public static bool Confirms(string? typed, string actual) =>
        typed is not null && (string.Equals(typed, actual, StringComparison.Ordinal) || string.Equals(typed, Shown(actual), StringComparison.Ordinal));

    public static string Mark(char c) => $"[U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)} {Name(c)}]";

    private static string Name(char c) => c switch
    {
        '\u202A' => "LRE",
        '\u202B' => "RLE",
        '\u202C' => "PDF",
        '\u202D' => "LRO",
        '\u202E' => "RLO",
        '\u2066' => "LRI",
        '\u2067' => "RLI",
        '\u2068' => "FSI",
        '\u2069' => "PDI",
        '\u200B' => "ZWSP",
        '\u200C' => "ZWNJ",
        '\u200D' => "ZWJ",
        '\u2060' => "WJ",
        '\uFEFF' => "BOM",
        _ => "?",
    };

    private static readonly System.Buffers.SearchValues<char> Disguising = System.Buffers.SearchValues.Create(
        "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200B\u200C\u200D\u2060\uFEFF");
}
