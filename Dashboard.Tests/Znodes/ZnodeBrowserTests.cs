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
}
