using Bunit;
using System.Net;
using System.Text;
using System.Text.Json;
using Dashboard.Core.Znodes;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Znodes;

/// <summary>Errors say what happened: too large, not authorized, bad pattern, missing parent; one bad node never fails the rest.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeErrorReportingTests(SharedEnsemble ensemble)
{
    private const string Secret = "keeper:s3cret";
    private string Server => ensemble.Sandbox.Voters.First().ClientAddress;

    private static object[] DigestOnly() =>
        [new { perms = 31, scheme = "digest", id = DashboardIdentities.DigestId("keeper", "s3cret") }];

    /// <summary>A subtree with an open node, a node only the digest user may touch (with a child), and a value over a 64 KB frame.</summary>
    private async Task<string> ArrangeAsync(string prefix)
    {
        var root = ZnodeFixture.UniqueRoot(prefix);
        await Kazoo.RunAsync(Server,
        [
            new("create", root, Convert.ToHexString("top"u8)),
            new("create", root + "/open", Convert.ToHexString("fine"u8)),
            new("create", root + "/big", Convert.ToHexString(new byte[100 * 1024])),
            new("create", root + "/locked", Convert.ToHexString("secret"u8), acl: DigestOnly()),
            new("create", root + "/locked/inner", "", acl: DigestOnly()),
        ], digest: Secret);
        return root;
    }

    private ZnodeTestApp SmallFrameApp(bool writes = false) =>
        ZnodeTestApp.Start(Server, allowWrites: writes, extra: new() { ["Znodes:MaxFrameSize"] = "65536" });

    [Fact]
    public async Task OversizedValueAndChildList_NamedWithTheSetting_StatStillShown_SessionKept()
    {
        var root = await ArrangeAsync("too-large");
        var many = string.Concat(Enumerable.Range(0, 400).Select(i => $"{i:D4}" + new string('n', 200)));
        await Kazoo.RunAsync(Server, [new("create", root + "/many", ""), .. Enumerable.Range(0, 400).Select(i => new Kazoo.Op("create", $"{root}/many/{i:D4}{new string('n', 200)}", ""))]);
        await using var app = SmallFrameApp();

        var big = await app.PageAsync(root + "/big");
        var list = await app.PageAsync(root + "/many");
        var after = await app.PageAsync(root + "/open");

        Assert.Contains("Znodes:MaxFrameSize", big.QuerySelector("#znode-data-problem")?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("did not answer", big.QuerySelector("#znode-data-problem")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("102,400", big.QuerySelector("#znode-stat")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("Znodes:MaxFrameSize", list.QuerySelector("#znode-children-problem")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("400 children", list.QuerySelector("#znode-children-problem")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("fine", after.QuerySelector("#znode-text")?.TextContent);
        Assert.True(many.Length > 65536);
    }

    [Fact]
    public async Task ExportAndSearch_SubtreeWithUnreadableAndOversizedNodes_ListTheSkippedWithReasons()
    {
        var root = await ArrangeAsync("skip");
        await using var app = SmallFrameApp();

        var export = await app.Http.GetAsync(new Uri($"/clusters/zk/znodes/export?path={Uri.EscapeDataString(root)}", UriKind.Relative));
        var json = await export.Content.ReadAsStringAsync();
        var parsed = SubtreeTransfer.Parse(json);
        await using var ui = app.Components();
        var search = ui.Context.Bunit.Render<Dashboard.Components.Znodes.ZnodeSearchForm>(p => p.Add(x => x.ClusterId, ZnodeTestApp.ClusterId).Add(x => x.Root, root));
        search.Find("#search-pattern").Change("*");
        search.Find("#znode-search-form").Submit();
        search.WaitForAssertion(() => Assert.Equal("done", search.Find("#znode-search-job").GetAttribute("data-state")), TimeSpan.FromSeconds(30));
        var status = await ZnodeTestApp.ParseAsync(search.Markup);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal([root, root + "/open"], parsed.Nodes.Select(n => n.Path).Order(StringComparer.Ordinal));
        Assert.Equal([root + "/big", root + "/locked"], parsed.Skipped!.Select(s => s.Path).Order(StringComparer.Ordinal));
        Assert.Contains("Znodes:MaxFrameSize", parsed.Skipped!.Single(s => s.Path.EndsWith("/big", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
        Assert.Contains("Not authorized", parsed.Skipped!.Single(s => s.Path.EndsWith("/locked", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
        Assert.Equal("done", status.QuerySelector("#znode-search-job")?.GetAttribute("data-state"));
        Assert.Contains("4 match(es)", status.QuerySelector("#search-summary")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("1", status.QuerySelector("#search-skipped")?.GetAttribute("data-count"));
        Assert.Contains(root + "/locked", status.QuerySelector("#search-skipped")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PermissionRefusal_Is403_StatShownWithoutReadPermission_DigestFromSettingsOpensIt()
    {
        var root = await ArrangeAsync("noauth");
        await Kazoo.RunAsync(Server, [new("create", root + "/readonly", Convert.ToHexString("ro"u8), acl: [new { perms = 1, scheme = "world", id = "anyone" }])]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        await using var withDigest = ZnodeTestApp.Start(Server, extra: new() { ["Dashboard:Clusters:0:Digest"] = Secret });

        var page = await app.PageAsync(root + "/locked");
        var download = await app.Http.GetAsync(new Uri($"/clusters/zk/znodes/download?path={Uri.EscapeDataString(root + "/locked")}", UriKind.Relative));
        var fields = ZnodeTestApp.BrowserFields((await app.PageAsync(root + "/readonly")).QuerySelector("#znode-edit-form")!, root + "/readonly");
        fields["data"] = "changed";
        var (writeStatus, write) = await app.PostAsync("set-data", fields);
        var opened = await withDigest.PageAsync(root + "/locked");

        Assert.NotNull(page.QuerySelector("#znode-stat"));
        Assert.Contains("Not authorized", page.QuerySelector("#znode-data-problem")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("1 children", page.QuerySelector("#znode-children-problem")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, download.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, writeStatus);
        Assert.Contains("Not authorized", write.QuerySelector("#znode-write-outcome")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("ro"u8.ToArray(), (await Kazoo.GetAsync(Server, root + "/readonly"))!);
        // The cluster's digest credentials are the znode browser's too.
        Assert.Equal("secret", opened.QuerySelector("#znode-text")?.TextContent);
        Assert.NotNull(opened.QuerySelector("#znode-children a[href*='inner']"));
    }

    [Fact]
    public async Task PatternTimingOut_IsABadPattern400_AndMissingParentIsNamed()
    {
        var root = ZnodeFixture.UniqueRoot("pattern");
        await Kazoo.RunAsync(Server, [new("create", root, ""), new("create", $"{root}/{new string('a', 3000)}", "")]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        const string catastrophic = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";

        var api = await app.Http.GetAsync(new Uri($"/api/clusters/zk/znodes?path={Uri.EscapeDataString(root)}&filter={Uri.EscapeDataString(catastrophic)}", UriKind.Relative));
        var body = await api.Content.ReadAsStringAsync();
        var (createStatus, created) = await app.PostAsync("create", new() { ["parent"] = root + "/not-there", ["name"] = "child", ["mode"] = "persistent", ["data"] = "" });

        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        Assert.Contains("bad pattern", body, StringComparison.Ordinal);
        Assert.DoesNotContain("did not answer", body, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, createStatus);
        Assert.Contains($"The parent {root}/not-there does not exist", created.QuerySelector("#znode-write-outcome")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonWithBomAndDeeplyNested_RecognisedAsJson_AndRenderedSafely()
    {
        var root = ZnodeFixture.UniqueRoot("json");
        var deep = string.Concat(Enumerable.Repeat("{\"k\":", 2000)) + "1" + new string('}', 2000);
        await Kazoo.RunAsync(Server, [new("create", root, ""), new("create", root + "/bom", Convert.ToHexString([0xef, 0xbb, 0xbf, .. "{\"a\":[1,2]}"u8])),
            new("create", root + "/deep", Convert.ToHexString(Encoding.UTF8.GetBytes(deep)))]);
        await using var app = ZnodeTestApp.Start(Server);

        var bom = await app.PageAsync(root + "/bom");
        var nested = await app.PageAsync(root + "/deep");

        Assert.Equal("json", bom.QuerySelector("#znode-data")?.GetAttribute("data-detected"));
        Assert.NotNull(bom.QuerySelector("#znode-json-bom"));
        Assert.Equal("\"a\"", bom.QuerySelector("#znode-json .json-key")?.TextContent);
        Assert.Equal("json", nested.QuerySelector("#znode-data")?.GetAttribute("data-detected"));
        Assert.NotNull(nested.QuerySelector("#znode-json .json-deep"));
        Assert.Equal(ZnodeContent.JsonTreeDepth, nested.QuerySelectorAll("#znode-json details").Length);
    }

    [Fact]
    public async Task KafkaCards_UnderTheKafkaChroot_WithLeaderRecoveryState_AndNoFakeKraftEpoch()
    {
        var chroot = ZnodeFixture.UniqueRoot("kafka");
        await Kazoo.RunAsync(Server,
        [
            new("create", chroot + "/brokers/topics/orders/partitions/0/state",
                Convert.ToHexString("{\"controller_epoch\":3,\"leader\":1,\"version\":1,\"leader_epoch\":7,\"isr\":[1,2],\"leader_recovery_state\":1}"u8), makepath: true),
            new("create", chroot + "/controller", Convert.ToHexString("{\"version\":2,\"brokerid\":1,\"timestamp\":\"1700000000000\",\"kraftControllerEpoch\":-1}"u8)),
        ]);
        await using var app = ZnodeTestApp.Start(Server, extra: new() { ["Dashboard:Clusters:0:KafkaChroot"] = chroot });

        var state = await app.PageAsync(chroot + "/brokers/topics/orders/partitions/0/state");
        var controller = await app.PageAsync(chroot + "/controller");

        Assert.Equal("PartitionStateCard", state.QuerySelector("#kafka-card")?.GetAttribute("data-kind"));
        Assert.Contains("recovering", state.QuerySelector("#kafka-leader-recovery")?.TextContent, StringComparison.Ordinal);
        Assert.Equal("ControllerCard", controller.QuerySelector("#kafka-card")?.GetAttribute("data-kind"));
        Assert.Equal("ZooKeeper-elected", controller.QuerySelector("#kafka-controller-kind")?.TextContent);
        Assert.DoesNotContain("KRaft controller epoch", controller.QuerySelector("#kafka-card")?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(controller.QuerySelectorAll("#kafka-card dd"), dd => dd.TextContent.Trim() == "-1");
    }
}
