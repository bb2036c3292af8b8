using System.Text;
using Dashboard.Core.Znodes;

namespace Dashboard.Tests.Znodes;

/// <summary>The per-value rule: which values a browser text field keeps, and that form → bytes gives the value back.</summary>
public sealed class ZnodeTextEditingTests
{
    public static TheoryData<string, byte[], EditEncoding, LineEnding> Values => new()
    {
        { "lf", "a\nb\n"u8.ToArray(), EditEncoding.Text, LineEnding.Lf },
        { "crlf", "a\r\nb\r\n"u8.ToArray(), EditEncoding.Text, LineEnding.Crlf },
        { "cr", "a\rb\r"u8.ToArray(), EditEncoding.Text, LineEnding.Cr },
        { "leading newline", "\n\nfirst"u8.ToArray(), EditEncoding.Text, LineEnding.Lf },
        { "tab and unicode", "k\tv 日本語 ⟨x⟩"u8.ToArray(), EditEncoding.Text, LineEnding.None },
        { "mixed", "a\r\nb\nc\rd"u8.ToArray(), EditEncoding.Base64, LineEnding.None },
        { "nul", "a\0b"u8.ToArray(), EditEncoding.Base64, LineEnding.None },
        { "c0 escape", "\u001b[0m"u8.ToArray(), EditEncoding.Base64, LineEnding.None },
        { "c1 nel", Encoding.UTF8.GetBytes("a\u0085b"), EditEncoding.Base64, LineEnding.None },
        { "invalid utf-8", [0xff, 0xfe, 0x80, 0x41], EditEncoding.Base64, LineEnding.None },
        { "empty", [], EditEncoding.Text, LineEnding.None },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Decide_ThenBrowserRoundTrip_GivesTheSameBytes(string name, byte[] value, EditEncoding encoding, LineEnding ending)
    {
        var mode = ZnodeTextEditing.Decide(value, isNull: false);
        // What the browser sends back: the parser drops the first newline after <textarea>, and every line break goes out as CRLF.
        var markup = ZnodeTextEditing.TextareaContent(ZnodeTextEditing.FormValue(value, mode));
        var parsed = (markup.StartsWith('\n') ? markup[1..] : markup).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var sent = parsed.Replace("\n", "\r\n", StringComparison.Ordinal);

        var back = ZnodeTextEditing.FromForm(sent, mode.Encoding, mode.LineEnding, isNull: false);

        Assert.True((encoding, ending) == (mode.Encoding, mode.LineEnding), $"{name}: {mode.Encoding}/{mode.LineEnding}");
        Assert.Equal(value, back);
        Assert.False(string.IsNullOrWhiteSpace(mode.Explanation));
    }

    [Fact]
    public void Null_IsItsOwnValue_AndSavedAsNullOnlyWhenTicked()
    {
        var mode = ZnodeTextEditing.Decide([], isNull: true);

        Assert.True(mode.IsNull);
        Assert.Null(ZnodeTextEditing.FromForm("", mode.Encoding, mode.LineEnding, isNull: true));
        Assert.Equal(Array.Empty<byte>(), ZnodeTextEditing.FromForm("", mode.Encoding, mode.LineEnding, isNull: false));
        Assert.Contains("null", mode.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void CrlfValue_EditedInBrowser_KeepsCrlfOnNewLines()
    {
        var saved = ZnodeTextEditing.FromForm("a\r\nb\r\nadded", EditEncoding.Text, LineEnding.Crlf, isNull: false);

        Assert.Equal("a\r\nb\r\nadded"u8.ToArray(), saved!);
    }

    [Fact]
    public void BadBase64OrHex_IsAFormatError()
    {
        Assert.Throws<FormatException>(() => ZnodeTextEditing.FromForm("not base64!", EditEncoding.Base64, LineEnding.None, false));
        Assert.Throws<FormatException>(() => ZnodeTextEditing.FromForm("abc", EditEncoding.Hex, LineEnding.None, false));
        Assert.Equal(new byte[] { 0xde, 0xad }, ZnodeTextEditing.FromForm("de ad", EditEncoding.Hex, LineEnding.None, false));
    }

    [Fact]
    public void ValueSummary_SmallWhole_LargeHashedWithPrefix()
    {
        var large = new byte[10_000];
        large.AsSpan().Fill((byte)'x');

        Assert.Equal("null", ZnodeValueSummary.Describe(null));
        Assert.Equal("empty (0 bytes)", ZnodeValueSummary.Describe([]));
        Assert.EndsWith("text \"hello\"", ZnodeValueSummary.Describe("hello"u8.ToArray()), StringComparison.Ordinal);
        var summary = ZnodeValueSummary.Describe(large);
        Assert.StartsWith("10000 bytes, sha256 ", summary, StringComparison.Ordinal);
        Assert.Contains("first 64 bytes text \"" + new string('x', 64) + "\"", summary, StringComparison.Ordinal);
        Assert.True(summary.Length < 300);
    }
}
