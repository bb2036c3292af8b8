using System.Text;

namespace Dashboard.Core.Znodes;

/// <summary>How an edit form carries a value: as text, or as an encoding that keeps every byte.</summary>
public enum EditEncoding { Text, Base64, Hex }

/// <summary>The one line ending a text value uses, put back on save (a browser's text field turns CRLF and CR into LF).</summary>
public enum LineEnding { None, Lf, Crlf, Cr }

/// <summary>How a value is offered for editing and why, in words the person is shown.</summary>
public sealed record ZnodeEditMode(EditEncoding Encoding, LineEnding LineEnding, bool IsNull, string Explanation)
{
    public bool AsText => Encoding == EditEncoding.Text;
}

/// <summary>
/// Decides per value whether it can be edited in a browser text field without loss, and turns what the form sends
/// back into bytes. What a textarea changes: the HTML parser drops one newline right after <c>&lt;textarea&gt;</c>
/// (the markup emits an extra one, see <see cref="TextareaContent"/>), turns NUL into U+FFFD, and the form
/// submission sends every line break as CRLF; C0/C1 controls and invalid UTF-8 cannot be relied on at all. So a
/// value is text-editable when it is strict UTF-8, has no control character other than tab, CR and LF, and uses
/// one kind of line ending, which is restored on save. Anything else is edited as base64.
/// </summary>
public static class ZnodeTextEditing
{
    public static ZnodeEditMode Decide(ReadOnlySpan<byte> data, bool isNull)
    {
        if (isNull) return new ZnodeEditMode(EditEncoding.Text, LineEnding.None, true, "The node's value is null (no data, which is not the same as empty). Untick \"null\" to save text instead.");
        if (data.Length == 0) return new ZnodeEditMode(EditEncoding.Text, LineEnding.None, false, "The value is empty (0 bytes).");
        var text = ZnodeContent.TryDecodeUtf8(data);
        if (text is null) return Bytes("the value is not valid UTF-8 text");
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                return Bytes($"the value holds the control character U+{(int)c:X4}, which a browser text field does not keep");
        }
        var ending = Endings(text);
        if (ending is null) return Bytes("the value mixes line endings (CRLF, CR, LF), which a browser text field cannot keep apart");
        var explanation = ending switch
        {
            LineEnding.Crlf => "Edited as text; the value's CRLF line endings are restored on save.",
            LineEnding.Cr => "Edited as text; the value's CR line endings are restored on save.",
            _ => "Edited as text; saved as UTF-8 exactly as shown.",
        };
        return new ZnodeEditMode(EditEncoding.Text, ending.Value, false, explanation);
    }

    private static ZnodeEditMode Bytes(string why) =>
        new(EditEncoding.Base64, LineEnding.None, false, $"Edited as base64: {why}. Every byte is kept.");

    /// <summary>The value's one kind of line ending; null when it mixes kinds.</summary>
    public static LineEnding? Endings(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool crlf = false, cr = false, lf = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n') { crlf = true; i++; }
                else cr = true;
            }
            else if (text[i] == '\n') lf = true;
        }
        var kinds = (crlf ? 1 : 0) + (cr ? 1 : 0) + (lf ? 1 : 0);
        if (kinds > 1) return null;
        return crlf ? LineEnding.Crlf : cr ? LineEnding.Cr : lf ? LineEnding.Lf : LineEnding.None;
    }

    /// <summary>What the form's field holds for this value (line breaks as LF for text; the whole value encoded otherwise).</summary>
    public static string FormValue(ReadOnlySpan<byte> data, ZnodeEditMode mode)
    {
        ArgumentNullException.ThrowIfNull(mode);
        return mode.Encoding switch
        {
            EditEncoding.Text => ToLf(ZnodeContent.TryDecodeUtf8(data) ?? ""),
            EditEncoding.Hex => Convert.ToHexString(data).ToLowerInvariant(),
            _ => Convert.ToBase64String(data),
        };
    }

    /// <summary>
    /// The textarea's content in markup: an extra leading newline, because the HTML parser drops the first newline
    /// after <c>&lt;textarea&gt;</c> and would otherwise eat a value's own leading newline.
    /// </summary>
    public static string TextareaContent(string formValue) => "\n" + formValue;

    /// <summary>
    /// The bytes a submitted form stands for; null for a null value. Text: every CRLF and CR becomes LF (as the
    /// browser may have sent either), then the value's own line ending is put back. Throws <see cref="FormatException"/>
    /// for bad base64 or hex.
    /// </summary>
    public static byte[]? FromForm(string? submitted, EditEncoding encoding, LineEnding lineEnding, bool isNull)
    {
        if (isNull) return null;
        submitted ??= "";
        switch (encoding)
        {
            case EditEncoding.Base64:
                return Convert.FromBase64String(StripWhitespace(submitted));
            case EditEncoding.Hex:
                return Convert.FromHexString(StripWhitespace(submitted));
            default:
                var text = ToLf(submitted);
                text = lineEnding switch
                {
                    LineEnding.Crlf => text.Replace("\n", "\r\n", StringComparison.Ordinal),
                    LineEnding.Cr => text.Replace('\n', '\r'),
                    _ => text,
                };
                return Encoding.UTF8.GetBytes(text);
        }
    }

    public static EditEncoding ParseEncoding(string? value) => value?.ToLowerInvariant() switch
    {
        "base64" => EditEncoding.Base64,
        "hex" => EditEncoding.Hex,
        _ => EditEncoding.Text,
    };

    public static LineEnding ParseLineEnding(string? value) => value?.ToLowerInvariant() switch
    {
        "crlf" => LineEnding.Crlf,
        "cr" => LineEnding.Cr,
        "lf" => LineEnding.Lf,
        _ => LineEnding.None,
    };

    private static string ToLf(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    private static string StripWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text) if (!char.IsWhiteSpace(c)) builder.Append(c);
        return builder.ToString();
    }
}
