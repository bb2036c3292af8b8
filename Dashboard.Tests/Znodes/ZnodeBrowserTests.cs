using System.Text;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Dashboard.Tests.Znodes;

/// <summary>The znode browser in headless Chromium against the real shared ensemble.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeBrowserTests(SharedEnsemble ensemble, Browser browser) : IClassFixture<Browser>
{

    [Fact]
    public async Task BrowseToJsonNode_ShowsPrettyJsonSwitchesToHexAndRunsNoHostileScript()
    {
        var server = ensemble.Sandbox.Voters.First().ClientAddress;
        await using var zk = await ZnodeFixture.ClientAsync(server);
        var root = ZnodeFixture.UniqueRoot("ui");
        await zk.CreateAsync(root, Array.Empty<byte>());
        await zk.CreateAsync(root + "/config", Encoding.UTF8.GetBytes("{\"retention\":{\"ms\":86400000},\"note\":\"<img src=x onerror=window.__pwned=1>\"}"));
        await zk.CreateAsync(root + "/<img src=x onerror=window.__pwned=2>", Array.Empty<byte>());
        await using var app = ZnodeTestApp.Start(server);
        var (page, problems) = await browser.NewPageAsync(app.Factory.StartRealServer());

        await page.GotoAsync(ZnodeTestApp.PageUrl(root));
        await page.ClickAsync("#znode-children a:text('config')");

        await Assertions.Expect(page.Locator("#znode-json")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#znode-json .json-key").First).ToHaveTextAsync("\"retention\"");
        await Assertions.Expect(page.Locator("#znode-json .json-number")).ToHaveTextAsync("86400000");
        await page.ClickAsync("a[data-view-link='hex']");
        await Assertions.Expect(page.Locator("#znode-hex")).ToContainTextAsync("7b 22 72 65");
        Assert.EndsWith("view=hex", page.Url, StringComparison.Ordinal);
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task EditInBrowser_ConcurrentChange_ShowsBothValuesInPlaceAndKeepsTheirs()
    {
        var server = ensemble.Sandbox.Voters.First().ClientAddress;
        await using var zk = await ZnodeFixture.ClientAsync(server);
        var root = ZnodeFixture.UniqueRoot("ui-edit");
        await zk.CreateAsync(root, Encoding.UTF8.GetBytes("original"));
        await zk.CreateAsync(root + "/child", Encoding.UTF8.GetBytes("x"));
        await zk.CreateAsync(root + "/child/grandchild", Array.Empty<byte>());
        await using var app = ZnodeTestApp.Start(server, allowWrites: true);
        var (page, problems) = await browser.NewPageAsync(app.Factory.StartRealServer());
        await page.GotoAsync("/sign-in");
        await page.FillAsync("#name", Access.AccessTestApp.OperatorName);
        await page.FillAsync("#password", Access.AccessTestApp.OperatorPassword);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/sign-in", StringComparison.Ordinal));
        await page.GotoAsync(ZnodeTestApp.PageUrl(root));

        // Lazy tree: opening a node loads its children once, through htmx.
        await page.Locator($"#znode-tree details:has(> summary a:text-is('{root[1..]}'))").EvaluateAsync("d => d.open = true");
        await page.Locator("#znode-tree details:has(> summary a:text-is('child'))").EvaluateAsync("d => d.open = true");
        await Assertions.Expect(page.Locator("#znode-tree a:text-is('grandchild')")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        await page.ClickAsync("#znode-changes > summary");
        await page.FillAsync("#edit-data", "mine");
        await zk.SetDataAsync(root, Encoding.UTF8.GetBytes("theirs"));
        await page.ClickAsync("#znode-edit-form button[type='submit']");

        await Assertions.Expect(page.Locator("#conflict-yours")).ToHaveTextAsync("mine");
        await Assertions.Expect(page.Locator("#conflict-current")).ToHaveTextAsync("theirs");
        Assert.Equal("theirs", Encoding.UTF8.GetString((await zk.GetDataAsync(root)).Data));
        Assert.Empty(problems);
        if (Environment.GetEnvironmentVariable("ZNODE_SCREENSHOT") is { Length: > 0 } shot) await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
    }
}
