using System.Net;
using System.Text;
using Dashboard.Core.Znodes;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Znodes;

/// <summary>
/// Values written by kazoo (a second client), loaded in the page, saved back through the form as a browser
/// submits it, and read back by kazoo: byte for byte what was there, or exactly what was typed.
/// </summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeLosslessEditTests(SharedEnsemble ensemble)
{
    private string Server => ensemble.Sandbox.Voters.First().ClientAddress;

    /// <summary>Every kind of value a text field could damage, with the form mode it must get.</summary>
    public static IReadOnlyList<(string Name, byte[]? Value, string Encoding)> Classes()
    {
        var random = new Random(14);
        var binary = new byte[4096];
        random.NextBytes(binary);
        var megabyte = new byte[1_000_000];
        random.NextBytes(megabyte);
        return
        [
            ("crlf", "line1\r\nline2\r\n"u8.ToArray(), "text"),
            ("cr", "line1\rline2\r"u8.ToArray(), "text"),
            ("mixed", "a\r\nb\nc\rd"u8.ToArray(), "base64"),
            ("leading-newline", "\nafter an empty first line\n"u8.ToArray(), "text"),
            ("nul", "before\0after"u8.ToArray(), "base64"),
            ("c0", "bell\u0007 esc\u001b[1m"u8.ToArray(), "base64"),
            ("c1", Encoding.UTF8.GetBytes("nel\u0085 csi\u009b"), "base64"),
            ("raw-c1-bytes", [0x61, 0x80, 0x9f, 0x62], "base64"),
            ("invalid-utf8", [0xc3, 0x28, 0xff, 0xfe, 0x41], "base64"),
            ("binary", binary, "base64"),
            ("null", null, "text"),
            ("empty", [], "text"),
            ("megabyte", megabyte, "base64"),
        ];
    }

    [Fact]
    public async Task UnchangedSave_EveryValueClassWrittenByKazoo_WritesNothingAndBytesStayExact()
    {
        var root = ZnodeFixture.UniqueRoot("lossless");
        var classes = Classes();
        await Kazoo.RunAsync(Server, [new Kazoo.Op("create", root, ""), .. classes.Select(c => new Kazoo.Op("create", $"{root}/{c.Name}", c.Value is null ? null : Convert.ToHexString(c.Value)))]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);

        foreach (var (name, value, encoding) in classes)
        {
            var path = $"{root}/{name}";
            var page = await app.PageAsync(path);
            var form = page.QuerySelector("#znode-edit-form");
            Assert.True(form is not null, $"{name}: edit form");
            Assert.Equal((name, encoding), (name, form!.GetAttribute("data-encoding")));
            Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector("#edit-mode")?.TextContent), $"{name}: the person is told how it is edited");

            var (status, html) = await app.PostAsync("set-data", ZnodeTestApp.BrowserFields(form));

            Assert.True(status == HttpStatusCode.OK, $"{name}: {status} {html.Body?.TextContent}");
            Assert.Equal((name, "unchanged"), (name, html.QuerySelector("#znode-write-outcome")?.GetAttribute("data-outcome")));
            var after = await Kazoo.GetAsync(Server, path);
            Assert.True(value is null ? after is null : after is not null && after.AsSpan().SequenceEqual(value), $"{name}: bytes in ZooKeeper changed");
        }
        Assert.All(app.Changes.Changes, c => Assert.Equal(ZnodeChangeOutcome.Unchanged, c.Outcome));
        var zk = await ZnodeFixture.ClientAsync(Server);
        await using (zk)
        {
            foreach (var (name, _, _) in classes) Assert.Equal((name, 0), (name, (await zk.ExistsAsync($"{root}/{name}"))!.Version));
        }
    }

    [Fact]
    public async Task NullAndEmpty_ShownApartInPageAndApi_AndSavedApart()
    {
        var root = ZnodeFixture.UniqueRoot("null");
        await Kazoo.RunAsync(Server, [new("create", root, ""), new("create", root + "/null", null), new("create", root + "/empty", "")]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);

        var nullPage = await app.PageAsync(root + "/null");
        var emptyPage = await app.PageAsync(root + "/empty");
        var nullApi = await app.Http.GetStringAsync(new Uri($"/api/clusters/zk/znodes?path={Uri.EscapeDataString(root + "/null")}", UriKind.Relative));
        var emptyApi = await app.Http.GetStringAsync(new Uri($"/api/clusters/zk/znodes?path={Uri.EscapeDataString(root + "/empty")}", UriKind.Relative));

        Assert.NotNull(nullPage.QuerySelector("#znode-data-null"));
        Assert.Null(nullPage.QuerySelector("#znode-data-empty"));
        Assert.NotNull(emptyPage.QuerySelector("#znode-data-empty"));
        Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)nullPage.QuerySelector("#edit-null")!).IsChecked);
        Assert.False(((AngleSharp.Html.Dom.IHtmlInputElement)emptyPage.QuerySelector("#edit-null")!).IsChecked);
        Assert.Contains("\"dataIsNull\":true", nullApi, StringComparison.Ordinal);
        Assert.Contains("\"data\":null", nullApi, StringComparison.Ordinal);
        Assert.Contains("\"data\":\"\"", emptyApi, StringComparison.Ordinal);
        Assert.Contains("\"dataIsNull\":false", emptyApi, StringComparison.Ordinal);

        // Swap them: the null node becomes empty, the empty one null.
        var toEmpty = ZnodeTestApp.BrowserFields(nullPage.QuerySelector("#znode-edit-form")!);
        toEmpty.Remove("null");
        var toNull = ZnodeTestApp.BrowserFields(emptyPage.QuerySelector("#znode-edit-form")!);
        toNull["null"] = "on";
        var (s1, _) = await app.PostAsync("set-data", toEmpty);
        var (s2, _) = await app.PostAsync("set-data", toNull);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (s1, s2));
        var wasNull = await Kazoo.GetAsync(Server, root + "/null");
        Assert.Equal(Array.Empty<byte>(), wasNull);
        Assert.Null(await Kazoo.GetAsync(Server, root + "/empty"));
    }

    [Fact]
    public async Task TextEdits_KeepTheValuesLineEndings_AndLargeValuesSaveByTheirBytes()
    {
        var root = ZnodeFixture.UniqueRoot("edits");
        var binary = new byte[800 * 1024];
        new Random(8).NextBytes(binary);
        var cjk = string.Concat(Enumerable.Repeat("日本語の設定値", 420 * 1024 / 21)); // 3 bytes a character: ~420 KB of UTF-8
        await Kazoo.RunAsync(Server, [new("create", root, ""), new("create", root + "/crlf", Convert.ToHexString("a\r\nb\r\n"u8)),
            new("create", root + "/cr", Convert.ToHexString("a\rb"u8)), new("create", root + "/big", "00"), new("create", root + "/cjk", "")]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);

        var crlf = ZnodeTestApp.BrowserFields((await app.PageAsync(root + "/crlf")).QuerySelector("#znode-edit-form")!);
        crlf["data"] = crlf["data"] + "added line\r\n";
        var cr = ZnodeTestApp.BrowserFields((await app.PageAsync(root + "/cr")).QuerySelector("#znode-edit-form")!);
        cr["data"] = "x\r\ny";
        var big = ZnodeTestApp.BrowserFields((await app.PageAsync(root + "/big")).QuerySelector("#znode-edit-form")!);
        big["encoding"] = "base64";
        big["data"] = Convert.ToBase64String(binary);
        var text = ZnodeTestApp.BrowserFields((await app.PageAsync(root + "/cjk")).QuerySelector("#znode-edit-form")!);
        text["data"] = cjk;

        foreach (var fields in new[] { crlf, cr, big, text })
        {
            var (status, html) = await app.PostAsync("set-data", fields);
            Assert.True(status == HttpStatusCode.OK && html.QuerySelector("#znode-write-outcome")?.GetAttribute("data-outcome") == "applied", $"{fields["path"]}: {status} {html.Body?.TextContent}");
        }

        var savedCrlf = await Kazoo.GetAsync(Server, root + "/crlf");
        var savedCr = await Kazoo.GetAsync(Server, root + "/cr");
        Assert.Equal("a\r\nb\r\nadded line\r\n"u8.ToArray(), savedCrlf!);
        Assert.Equal("x\ry"u8.ToArray(), savedCr!);
        Assert.Equal(binary, await Kazoo.GetAsync(Server, root + "/big"));
        var savedText = await Kazoo.GetAsync(Server, root + "/cjk");
        Assert.Equal(Encoding.UTF8.GetBytes(cjk), savedText);
        Assert.True(savedText!.Length > 400 * 1024);
    }

    [Fact]
    public async Task ValueOverTheLimit_RefusedNamingTheSetting_NothingWritten()
    {
        var root = ZnodeFixture.UniqueRoot("toolarge");
        await Kazoo.CreateAsync(Server, root, "small"u8.ToArray());
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var fields = ZnodeTestApp.BrowserFields((await app.PageAsync(root)).QuerySelector("#znode-edit-form")!);
        fields["encoding"] = "base64";
        fields["data"] = Convert.ToBase64String(new byte[1_048_576]);

        var (status, html) = await app.PostAsync("set-data", fields);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("Znodes:MaxFrameSize", html.QuerySelector("#znode-write-outcome")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("small"u8.ToArray(), await Kazoo.GetAsync(Server, root));
        Assert.Equal(ZnodeChangeOutcome.Refused, Assert.Single(app.Changes.Changes).Outcome);
    }
}
