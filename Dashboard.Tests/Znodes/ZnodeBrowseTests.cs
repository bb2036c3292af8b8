using System.Net;
using Bunit;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Znodes;

/// <summary>Reading znodes through the API and the page, against the real shared ensemble.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeBrowseTests(SharedEnsemble ensemble)
{
    // App and arranging client talk to the same server, so what one writes the other reads at once.
    private string Server => ensemble.Sandbox.Voters.First().ClientAddress;

    [Fact]
    public async Task Api_NodeWithChildren_AnswersStatDataAclAndOnePageFiltered()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("api");
        await zk.CreateAsync(root, Encoding.UTF8.GetBytes("héllo"));
        foreach (var i in Enumerable.Range(0, 12)) await zk.CreateAsync($"{root}/{(i % 2 == 0 ? "even" : "odd")}-{i:D2}", Encoding.UTF8.GetBytes(new string('x', i)));
        await zk.CreateAsync($"{root}/odd-eph", Array.Empty<byte>(), CreateMode.Ephemeral);
        await using var app = ZnodeTestApp.Start(Server);

        using var json = JsonDocument.Parse(await app.Http.GetStringAsync(new Uri($"/api/clusters/zk/znodes?path={Uri.EscapeDataString(root)}&offset=2&limit=3&filter=odd", UriKind.Relative)));
        var node = json.RootElement;

        Assert.Equal(root, node.GetProperty("path").GetString());
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("héllo")), node.GetProperty("data").GetString());
        Assert.Equal("héllo", node.GetProperty("text").GetString());
        Assert.Equal(6, node.GetProperty("stat").GetProperty("dataLength").GetInt32());
        Assert.Equal(13, node.GetProperty("stat").GetProperty("numChildren").GetInt32());
        Assert.StartsWith("0x", node.GetProperty("stat").GetProperty("czxid").GetString(), StringComparison.Ordinal);
        Assert.Equal("world", node.GetProperty("acl")[0].GetProperty("scheme").GetString());
        Assert.Equal("cdrwa", node.GetProperty("acl")[0].GetProperty("perms").GetString());
        var children = node.GetProperty("children");
        Assert.Equal(13, children.GetProperty("total").GetInt32());
        Assert.Equal(7, children.GetProperty("matching").GetInt32());
        // Sorted by name: odd-01, odd-03, odd-05, odd-07, odd-09, odd-11, odd-eph; offset 2 limit 3.
        Assert.Equal(["odd-05", "odd-07", "odd-09"], children.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(7, children.GetProperty("items")[1].GetProperty("stat").GetProperty("dataLength").GetInt32());
    }

    [Fact]
    public async Task Api_BinaryData_HasBase64AndNoText()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("bin");
        byte[] binary = [0x00, 0xff, 0xfe, 0x41, 0x80];
        await zk.CreateAsync(root, binary);
        await using var app = ZnodeTestApp.Start(Server);

        var node = await app.Http.GetFromJsonAsync<JsonElement>(new Uri($"/api/clusters/zk/znodes?path={Uri.EscapeDataString(root)}", UriKind.Relative));

        Assert.Equal(binary, Convert.FromBase64String(node.GetProperty("data").GetString()!));
        Assert.Equal(JsonValueKind.Null, node.GetProperty("text").ValueKind);
        Assert.Equal("hex", node.GetProperty("detected").GetString());
    }

    [Fact]
    public async Task Api_IllegalOrMissingPath_AnswersProblemWithMessage()
    {
        await using var app = ZnodeTestApp.Start(Server);

        var illegal = await app.Http.GetAsync(new Uri("/api/clusters/zk/znodes?path=" + Uri.EscapeDataString("/a//b"), UriKind.Relative));
        var missing = await app.Http.GetAsync(new Uri("/api/clusters/zk/znodes?path=/no-such-node-" + Guid.NewGuid().ToString("N"), UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, illegal.StatusCode);
        Assert.Contains("empty segment", await illegal.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.DoesNotContain("   at ", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zk", "/bad/../path")]
    [InlineData("zk", "/no-such-node")]
    [InlineData("no-such-cluster", "/")]
    public async Task Page_IllegalPathMissingNodeOrUnknownCluster_Answers404(string cluster, string path)
    {
        await using var app = ZnodeTestApp.Start(Server);

        var response = await app.Http.GetAsync(new Uri($"/clusters/{cluster}/znodes?path={Uri.EscapeDataString(path == "/no-such-node" ? path + Guid.NewGuid().ToString("N") : path)}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_BinaryData_DetectsAndShowsHexWithAscii()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("hex");
        await zk.CreateAsync(root, new byte[] { 0x00, 0x01, 0x48, 0x69, 0xff });
        await using var app = ZnodeTestApp.Start(Server);

        var page = await app.PageAsync(root);

        Assert.Equal("hex", page.QuerySelector("#znode-data")?.GetAttribute("data-detected"));
        var hex = page.QuerySelector("#znode-hex")?.TextContent;
        Assert.Equal("00000000  00 01 48 69 ff", hex?[..24]);
        Assert.Contains("|..Hi.|", hex, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_EachDataView_RendersTheSameBytes()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("views");
        var data = Encoding.UTF8.GetBytes("{\"name\":\"x\",\"list\":[1,2]}");
        await zk.CreateAsync(root, data);
        await using var app = ZnodeTestApp.Start(Server);

        var json = await app.PageAsync(root);
        var text = await app.PageAsync(root, "&view=text");
        var base64 = await app.PageAsync(root, "&view=base64");
        var hex = await app.PageAsync(root, "&view=hex");

        Assert.Equal("json", json.QuerySelector("#znode-data")?.GetAttribute("data-detected"));
        Assert.Equal("\"name\"", json.QuerySelector("#znode-json .json-key")?.TextContent);
        Assert.Equal(2, json.QuerySelectorAll("#znode-json details").Length);
        Assert.Equal("{\"name\":\"x\",\"list\":[1,2]}", text.QuerySelector("#znode-text")?.TextContent);
        Assert.Equal(Convert.ToBase64String(data), base64.QuerySelector("#znode-base64")?.TextContent);
        Assert.StartsWith("00000000  7b 22 6e", hex.QuerySelector("#znode-hex")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_Node_ShowsFullStatAclBreadcrumbsAndEphemeralMarker()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("stat");
        await zk.CreateAsync(root, Array.Empty<byte>());
        await zk.CreateAsync(root + "/session", Array.Empty<byte>(), CreateMode.Ephemeral);
        var stat = (await zk.ExistsAsync(root))!;
        await using var app = ZnodeTestApp.Start(Server);

        var page = await app.PageAsync(root);

        var czxid = page.QuerySelector("#znode-stat tr[data-stat='czxid']")?.TextContent;
        Assert.Contains($"0x{stat.CreatedZxid:x}", czxid, StringComparison.Ordinal);
        Assert.Contains($"epoch {stat.CreatedZxid >> 32}, counter {stat.CreatedZxid & 0xffffffff}", czxid, StringComparison.Ordinal);
        Assert.Matches(@"\((just now|\d+ (s|min|h|d) ago)\)", page.QuerySelector("#znode-stat tr[data-stat='mtime']")?.TextContent ?? "");
        Assert.Equal(["/", root[1..]], page.QuerySelectorAll("#znode-breadcrumbs li").Select(li => li.TextContent.Trim()));
        Assert.Contains("anyone", page.QuerySelector("#znode-acl")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("[data-child='session'] .znode-ephemeral"));
        Assert.NotNull(page.QuerySelector($"#znode-tree a[href='/clusters/zk/znodes?path={Uri.EscapeDataString(root)}']"));
    }

    [Fact]
    public async Task Page_HostileNamesAndData_RenderAsInertText()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("hostile");
        await zk.CreateAsync(root, Encoding.UTF8.GetBytes("<script>window.__pwned=1</script>\"'\u202Egnp.exe\u0007"));
        // Control characters cannot be in a name (ZooKeeper refuses them); they are covered in the data below.
        string[] names = ["<img src=x onerror=alert(1)>", "quote\"'", "rtl\u202Etxt.exe"];
        foreach (var name in names) await zk.CreateAsync($"{root}/{name}", Array.Empty<byte>());
        await using var app = ZnodeTestApp.Start(Server);

        var page = await app.PageAsync(root);

        Assert.Empty(page.QuerySelectorAll("#znode-children img, #znode-data script, #znode-tree img"));
        var rendered = page.QuerySelectorAll("#znode-children [data-child]").Select(r => r.QuerySelector("a")!.TextContent).ToList();
        Assert.Contains("<img src=x onerror=alert(1)>", rendered);
        Assert.Contains("quote\"'", rendered);
        Assert.Contains(Dashboard.Core.Text.VisibleText.Shown("rtl\u202Etxt.exe"), rendered);
        // A control character makes it binary: detected as hex; the text view still shows it, inert and visible.
        Assert.Equal("hex", page.QuerySelector("#znode-data")?.GetAttribute("data-detected"));
        var asText = await app.PageAsync(root, "&view=text");
        Assert.Empty(asText.QuerySelectorAll("#znode-data script"));
        Assert.Equal("<script>window.__pwned=1</script>\"'⟨U+202E⟩gnp.exe⟨U+0007⟩", asText.QuerySelector("#znode-text")?.TextContent);
    }

    [Fact]
    public async Task Page_KafkaBrokerRegistration_ShowsCardBesideJson()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var id = Random.Shared.Next(100_000, 999_999);
        foreach (var p in new[] { "/brokers", "/brokers/ids" })
        {
            try { await zk.CreateAsync(p, Array.Empty<byte>()); } catch (NodeExistsException) { }
        }
        var path = $"/brokers/ids/{id}";
        await zk.CreateAsync(path, Encoding.UTF8.GetBytes("{\"version\":5,\"host\":\"h1\",\"port\":9092,\"endpoints\":[\"PLAINTEXT://h1:9092\"],\"jmx_port\":-1,\"timestamp\":\"1700000000000\",\"rack\":\"dc1\"}"), CreateMode.Ephemeral);
        await using var app = ZnodeTestApp.Start(Server);

        var page = await app.PageAsync(path);

        var card = page.QuerySelector("#kafka-card");
        Assert.Equal("BrokerCard", card?.GetAttribute("data-kind"));
        Assert.Contains("h1:9092", card?.TextContent, StringComparison.Ordinal);
        Assert.Contains("dc1", card?.TextContent, StringComparison.Ordinal);
        Assert.Contains("2023-11-14 22:13:20", card?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("#znode-json"));
    }

    [Fact]
    public async Task Page_NextPageOfChildren_OffsetAndLimitFromTheUrl()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("frag");
        await zk.CreateAsync(root, Array.Empty<byte>());
        await zk.MultiAsync(Enumerable.Range(0, 30).Select(i => TransactionOperation.Create($"{root}/n{i:D2}")));
        await using var app = ZnodeTestApp.Start(Server);

        var html = await app.PageAsync(root, "&offset=20&limit=20");

        Assert.Equal(10, html.QuerySelectorAll("#znode-children [data-child]").Length);
        Assert.Equal("n20", html.QuerySelector("#znode-children [data-child]")?.GetAttribute("data-child"));
        Assert.Equal($"/clusters/zk/znodes?path={Uri.EscapeDataString(root)}&limit=20", html.QuerySelector("a[rel='prev']")?.GetAttribute("href"));
        Assert.Null(html.QuerySelector("a[rel='next']"));
    }

    [Fact]
    public async Task Search_PatternInSubtree_FindsMatchesWithLinksAndReportsVisited()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("search");
        await zk.MultiAsync([TransactionOperation.Create(root), TransactionOperation.Create(root + "/a"), TransactionOperation.Create(root + "/a/target-1"),
            TransactionOperation.Create(root + "/b"), TransactionOperation.Create(root + "/b/c"), TransactionOperation.Create(root + "/b/c/target-2"), TransactionOperation.Create(root + "/b/other")]);
        await using var app = ZnodeTestApp.Start(Server);

        await using var ui = app.Components();
        var search = ui.Context.Bunit.Render<Dashboard.Components.Znodes.ZnodeSearchForm>(p => p.Add(x => x.ClusterId, ZnodeTestApp.ClusterId).Add(x => x.Root, root));

        search.Find("#search-pattern").Change("target-*");
        search.Find("#znode-search-form").Submit();

        search.WaitForAssertion(() => Assert.Equal("done", search.Find("#znode-search-job").GetAttribute("data-state")), TimeSpan.FromSeconds(30));
        var links = search.FindAll(".znode-search-results a").Select(a => a.TextContent).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([root + "/a/target-1", root + "/b/c/target-2"], links);
        Assert.Contains("in 7 node(s)", search.Find("#search-summary").TextContent, StringComparison.Ordinal);
    }
}

/// <summary>A cluster nobody answers for: the page says so in place, within its timeout.</summary>
public sealed class ZnodeUnreachableTests
{
    [Fact]
    public async Task Page_DeadServer_ShowsMessageWithinTimeout()
    {
        await using var app = ZnodeTestApp.Start("127.0.0.1:1", extra: new() { ["Znodes:RequestTimeout"] = "00:00:02", ["Znodes:PageTimeout"] = "00:00:03" });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var page = await app.PageAsync("/");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal("Unavailable", page.QuerySelector("#znode-problem")?.GetAttribute("data-kind"));
        Assert.DoesNotContain("   at ", page.Body?.TextContent, StringComparison.Ordinal);
    }
}
