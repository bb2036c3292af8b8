using System.Text;
using Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Dashboard.Tests.Znodes;

/// <summary>The znode browser in headless Chromium (an open circuit) against the real shared ensemble.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeBrowserTests(SharedEnsemble ensemble, Browser browser) : IClassFixture<Browser>
{
    private string Server => ensemble.Sandbox.Voters.First().ClientAddress;

    [Fact]
    public async Task BrowseToJsonNode_ShowsPrettyJsonSwitchesToHexAndRunsNoHostileScript()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("ui");
        await zk.CreateAsync(root, Array.Empty<byte>());
        await zk.CreateAsync(root + "/config", Encoding.UTF8.GetBytes("{\"retention\":{\"ms\":86400000},\"note\":\"<img src=x onerror=window.__pwned=1>\"}"));
        await zk.CreateAsync(root + "/<img src=x onerror=window.__pwned=2>", Array.Empty<byte>());
        await using var app = ZnodeTestApp.Start(Server);
        var (page, problems) = await browser.NewPageAsync(app.Factory.StartRealServer());

        await page.GotoAsync(ZnodeTestApp.PageUrl(root));
        await Browser.WaitForCircuitAsync(page);
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
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("ui-edit");
        await zk.CreateAsync(root, Encoding.UTF8.GetBytes("original"));
        await zk.CreateAsync(root + "/child", Encoding.UTF8.GetBytes("x"));
        await zk.CreateAsync(root + "/child/grandchild", Array.Empty<byte>());
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var (page, problems) = await browser.NewPageAsync(app.Factory.StartRealServer());
        await ZnodeLosslessBrowserTests.SignInAsync(page);
        await page.GotoAsync(ZnodeTestApp.PageUrl(root));
        await Browser.WaitForCircuitAsync(page);

        // Lazy tree: opening a node lists its children once, through the circuit.
        await page.ClickAsync($"#znode-tree li[data-tree-node='{root[1..]}'] > button.znode-tree-toggle");
        await page.ClickAsync("#znode-tree li[data-tree-node='child'] > button.znode-tree-toggle");
        await Assertions.Expect(page.Locator("#znode-tree a:text-is('grandchild')")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        await page.ClickAsync("#znode-changes > summary");
        await page.FillAsync("#edit-data", "mine");
        await zk.SetDataAsync(root, Encoding.UTF8.GetBytes("theirs"));
        await page.ClickAsync("#znode-edit-form button[type='submit']");

        await Assertions.Expect(page.Locator("#conflict-yours")).ToHaveTextAsync("mine", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#conflict-current")).ToHaveTextAsync("theirs");
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("changed");
        Assert.Equal("theirs", Encoding.UTF8.GetString((await zk.GetDataAsync(root)).Data));

        // Replacing is a second, explicit decision: it writes onto the version now there.
        await page.ClickAsync("#znode-conflict-replace");
        await Assertions.Expect(page.Locator("#znode-write-outcome")).ToHaveAttributeAsync("data-outcome", "applied", new() { Timeout = 15_000 });
        Assert.Equal("mine", Encoding.UTF8.GetString((await zk.GetDataAsync(root)).Data));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task RecursiveDelete_TypedConfirmationDialog_DeletesOnlyOnceTheNameAsShownIsTyped()
    {
        var root = ZnodeFixture.UniqueRoot("ui-rdel");
        var target = root + "/app\u202Econfig";
        await Kazoo.RunAsync(Server, [new("create", root, ""), new("create", target, ""), new("create", target + "/a", "31"), new("create", target + "/b", "32")]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var (page, problems) = await browser.NewPageAsync(app.Factory.StartRealServer());
        await ZnodeLosslessBrowserTests.SignInAsync(page);
        await page.GotoAsync(ZnodeTestApp.PageUrl(target));
        await Browser.WaitForCircuitAsync(page);

        await page.ClickAsync("#znode-changes > summary");
        await page.ClickAsync("#znode-recursive-delete");
        await Assertions.Expect(page.Locator(".mud-dialog")).ToContainTextAsync("This deletes 3 node(s)", new() { Timeout = 15_000 });
        await page.FillAsync("#typed-confirm", root + "/appconfig");
        await Assertions.Expect(page.Locator("#typed-go")).ToBeDisabledAsync();
        var shown = await page.Locator("#typed-confirmation").GetAttributeAsync("data-expected-shown");
        await page.FillAsync("#typed-confirm", shown!);
        await Assertions.Expect(page.Locator("#typed-go")).ToBeEnabledAsync();
        await page.ClickAsync("#typed-go");

        // Deleted: the page moves to the parent and says so.
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Deleted", new() { Timeout = 15_000 });
        await page.WaitForURLAsync(url => url.EndsWith("path=" + Uri.EscapeDataString(root), StringComparison.Ordinal), new() { Timeout = 15_000 });
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        Assert.Null(await zk.ExistsAsync(target + "/a"));
        Assert.Null(await zk.ExistsAsync(target));
        Assert.Empty(problems);
    }
}
