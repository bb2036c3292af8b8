using System.Net;
using Bunit;
using System.Text;
using Dashboard.Core.Znodes;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Znodes;

/// <summary>
/// Values written by kazoo (a second client), loaded into the edit panel (bUnit, with the real write service),
/// saved back, and read back by kazoo: byte for byte what was there, or exactly what was typed. What a browser's
/// text field does to a value is ZnodeLosslessBrowserTests' part.
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
        await using var ui = app.Components();

        foreach (var (name, value, encoding) in classes)
        {
            var path = $"{root}/{name}";
            var panel = await ui.EditPanelAsync(path);
            var form = panel.Find("#znode-edit-form");
            Assert.Equal((name, encoding), (name, form.GetAttribute("data-encoding")));
            Assert.False(string.IsNullOrWhiteSpace(panel.Find("#edit-mode").TextContent), $"{name}: the person is told how it is edited");

            form.Submit();

            Assert.Equal((name, "unchanged"), (name, ZnodeComponents.Outcome(panel)));
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
        await using var ui = app.Components();

        var nullPage = await app.PageAsync(root + "/null");
        var emptyPage = await app.PageAsync(root + "/empty");
        var nullApi = await app.Http.GetStringAsync(new Uri($"/api/clusters/zk/znodes?path={Uri.EscapeDataString(root + "/null")}", UriKind.Relative));
        var emptyApi = await app.Http.GetStringAsync(new Uri($"/api/clusters/zk/znodes?path={Uri.EscapeDataString(root + "/empty")}", UriKind.Relative));

        Assert.NotNull(nullPage.QuerySelector("#znode-data-null"));
        Assert.Null(nullPage.QuerySelector("#znode-data-empty"));
        Assert.NotNull(emptyPage.QuerySelector("#znode-data-empty"));
        Assert.Contains("\"dataIsNull\":true", nullApi, StringComparison.Ordinal);
        Assert.Contains("\"data\":null", nullApi, StringComparison.Ordinal);
        Assert.Contains("\"data\":\"\"", emptyApi, StringComparison.Ordinal);
        Assert.Contains("\"dataIsNull\":false", emptyApi, StringComparison.Ordinal);

        // Swap them: the null node becomes empty, the empty one null.
        var toEmpty = await ui.EditPanelAsync(root + "/null");
        Assert.True(ZnodeComponents.NullTicked(toEmpty));
        ZnodeComponents.NullBox(toEmpty).Change(false);
        toEmpty.Find("#znode-edit-form").Submit();
        var toNull = await ui.EditPanelAsync(root + "/empty");
        Assert.False(ZnodeComponents.NullTicked(toNull));
        ZnodeComponents.NullBox(toNull).Change(true);
        toNull.Find("#znode-edit-form").Submit();

        Assert.Equal(("applied", "applied"), (ZnodeComponents.Outcome(toEmpty), ZnodeComponents.Outcome(toNull)));
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
            new("create", root + "/cr", Convert.ToHexString("a\rb"u8)), new("create", root + "/big", Convert.ToHexString(new byte[] { 0, 1, 2 })), new("create", root + "/cjk", "")]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        await using var ui = app.Components();

        // A text field's value has LF breaks (browsers normalize them): the value's own endings are put back.
        var crlf = await ui.EditPanelAsync(root + "/crlf");
        Assert.Equal("a\nb\n", crlf.Find("#edit-data").GetAttribute("value") ?? crlf.Find("#edit-data").TextContent);
        crlf.Find("#edit-data").Change("a\nb\nadded line\n");
        var cr = await ui.EditPanelAsync(root + "/cr");
        cr.Find("#edit-data").Change("x\ny");
        var big = await ui.EditPanelAsync(root + "/big");
        Assert.Equal("base64", big.Find("#znode-edit-form").GetAttribute("data-encoding"));
        big.Find("#edit-data").Change(Convert.ToBase64String(binary));
        var text = await ui.EditPanelAsync(root + "/cjk");
        text.Find("#edit-data").Change(cjk);

        foreach (var panel in new[] { crlf, cr, big, text })
        {
            panel.Find("#znode-edit-form").Submit();
            Assert.Equal("applied", ZnodeComponents.Outcome(panel));
        }

        Assert.Equal("a\r\nb\r\nadded line\r\n"u8.ToArray(), (await Kazoo.GetAsync(Server, root + "/crlf"))!);
        Assert.Equal("x\ry"u8.ToArray(), (await Kazoo.GetAsync(Server, root + "/cr"))!);
        Assert.Equal(binary, await Kazoo.GetAsync(Server, root + "/big"));
        var savedText = await Kazoo.GetAsync(Server, root + "/cjk");
        Assert.Equal(Encoding.UTF8.GetBytes(cjk), savedText);
        Assert.True(savedText!.Length > 400 * 1024);
    }

    [Fact]
    public async Task ValueOverTheLimit_RefusedNamingTheSetting_NothingWritten()
    {
        var root = ZnodeFixture.UniqueRoot("toolarge");
        await Kazoo.CreateAsync(Server, root, new byte[] { 0, 1 });
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        await using var ui = app.Components();
        var panel = await ui.EditPanelAsync(root);
        panel.Find("#edit-data").Change(Convert.ToBase64String(new byte[1_048_576]));

        panel.Find("#znode-edit-form").Submit();

        Assert.Equal("refused", ZnodeComponents.Outcome(panel));
        Assert.Contains("Znodes:MaxFrameSize", panel.Find("#znode-write-outcome").TextContent, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0, 1 }, await Kazoo.GetAsync(Server, root));
        Assert.Equal(ZnodeChangeOutcome.Refused, Assert.Single(app.Changes.Changes).Outcome);
    }

    /// <summary>The HTTP change endpoint is a thin wrapper over the same service: a form post keeps the rule too.</summary>
    [Fact]
    public async Task HttpSetData_StaleVersion_ConflictWithBothValuesAndNothingWritten()
    {
        var root = ZnodeFixture.UniqueRoot("http-set");
        await Kazoo.CreateAsync(Server, root, "v0"u8.ToArray());
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var stat = (await zk.GetDataAsync(root)).Stat;
        await Kazoo.SetAsync(Server, root, "theirs"u8.ToArray());

        var (status, html) = await app.PostAsync("set-data", new()
        {
            ["path"] = root, ["version"] = stat.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["czxid"] = stat.CreatedZxid.ToString(System.Globalization.CultureInfo.InvariantCulture), ["encoding"] = "text", ["data"] = "mine",
        });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("mine", html.QuerySelector("#conflict-yours")?.TextContent);
        Assert.Equal("theirs", html.QuerySelector("#conflict-current")?.TextContent);
        Assert.Equal("theirs"u8.ToArray(), await Kazoo.GetAsync(Server, root));
    }
}
