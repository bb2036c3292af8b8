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
        var isJson = readable && LooksLikeJson(data);
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

    /// <summary>
    /// How deep JSON may nest and still be recognised. The parser is not recursive, so this is only a bound on
    /// its work; the tree view shows at most <see cref="JsonTreeDepth"/> levels and the rest as text.
    /// </summary>
    public const int JsonMaxDepth = 4096;

    /// <summary>Levels the JSON tree renders as nested elements; deeper parts are shown as their raw text.</summary>
    public const int JsonTreeDepth = 64;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = JsonMaxDepth };

    private static bool LooksLikeJson(ReadOnlySpan<byte> data)
    {
        var body = WithoutBom(data);
        var start = 0;
        while (start < body.Length && body[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') start++;
        if (start == body.Length || body[start] is not ((byte)'{' or (byte)'[')) return false;
        using var document = TryParseJson(data.ToArray());
        return document is not null;
    }

    /// <summary>The value as JSON (a leading UTF-8 BOM allowed, deep nesting allowed), or null when it is not JSON.</summary>
    public static JsonDocument? TryParseJson(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            return JsonDocument.Parse(data.AsMemory(WithoutBom(data).Length == data.Length ? 0 : 3), JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ReadOnlySpan<byte> WithoutBom(ReadOnlySpan<byte> data) => data.StartsWith((ReadOnlySpan<byte>)[0xef, 0xbb, 0xbf]) ? data[3..] : data;

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
