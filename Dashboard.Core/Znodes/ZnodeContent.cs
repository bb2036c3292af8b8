using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dashboard.Core.Znodes;

/// <summary>The ways a znode's bytes can be shown.</summary>
public enum DataView { Text, Json, Hex, Base64 }

/// <summary>What a znode's bytes are, judged once so every view agrees.</summary>
public sealed record DataInspection(int Length, bool IsUtf8, bool IsJson, DataView Detected)
{
    public bool IsEmpty => Length == 0;
}

/// <summary>
/// Classifies and renders znode data without trusting it: text only when it is strict UTF-8 without stray control
/// characters, JSON only when it parses, everything else as hex. Views work on a bounded preview so a large value
/// never becomes a huge page; the whole value is downloadable.
/// </summary>
public static class ZnodeContent
{
    /// <summary>Bytes shown inline; the rest is reached through the download.</summary>
    public const int PreviewBytes = 64 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static DataInspection Inspect(ReadOnlySpan<byte> data)
    {
        var text = TryDecodeUtf8(data);
        var isUtf8 = text is not null;
        var readable = isUtf8 && !text!.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));
        var isJson = readable && LooksLikeJson(text!);
        var detected = isJson ? DataView.Json : readable ? DataView.Text : DataView.Hex;
        return new DataInspection(data.Length, isUtf8, isJson, detected);
    }

    /// <summary>The text when the bytes are valid UTF-8 (no replacement characters slipped in), else null.</summary>
    public static string? TryDecodeUtf8(ReadOnlySpan<byte> data)
    {
        try
        {
            return StrictUtf8.GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool LooksLikeJson(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length == 0 || trimmed[0] is not ('{' or '[')) return false;
        try
        {
            using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Text for the text view: invalid sequences become U+FFFD; control and direction characters are made visible.</summary>
    public static string PreviewText(ReadOnlySpan<byte> data) =>
        Visible.Text(Encoding.UTF8.GetString(data[..Math.Min(data.Length, PreviewBytes)]), keepLineBreaks: true);

    /// <summary>Classic hex dump: offset, 16 bytes in hex, the printable ASCII beside them.</summary>
    public static string HexDump(ReadOnlySpan<byte> data)
    {
        var shown = data[..Math.Min(data.Length, PreviewBytes)];
        var builder = new StringBuilder(shown.Length * 4 + 16);
        for (var offset = 0; offset < shown.Length; offset += 16)
        {
            var line = shown.Slice(offset, Math.Min(16, shown.Length - offset));
            builder.Append(offset.ToString("x8", CultureInfo.InvariantCulture)).Append("  ");
            for (var i = 0; i < 16; i++)
            {
                builder.Append(i < line.Length ? line[i].ToString("x2", CultureInfo.InvariantCulture) : "  ").Append(i == 7 ? "  " : " ");
            }
            builder.Append(" |");
            foreach (var b in line) builder.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            builder.Append("|\n");
        }
        return builder.ToString();
    }

    public static string PreviewBase64(ReadOnlySpan<byte> data) => Convert.ToBase64String(data[..Math.Min(data.Length, PreviewBytes)]);

    public static bool IsTruncated(int length) => length > PreviewBytes;
}

/// <summary>
/// Makes characters that could hide or reorder text visible as <c>⟨U+XXXX⟩</c>: control characters and Unicode
/// direction controls (a right-to-left override in a znode name must not disguise what an operator reads).
/// HTML encoding is the renderer's job; this is about what the eye sees.
/// </summary>
public static class Visible
{
    public static string Text(string value, bool keepLineBreaks = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Any(c => NeedsMarking(c, keepLineBreaks))) return value;
        var builder = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            if (NeedsMarking(c, keepLineBreaks)) builder.Append("⟨U+").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('⟩');
            else builder.Append(c);
        }
        return builder.ToString();
    }

    private static bool NeedsMarking(char c, bool keepLineBreaks) => c switch
    {
        '\n' or '\r' or '\t' => !keepLineBreaks,
        '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') => true,
        _ => char.IsControl(c),
    };
}
