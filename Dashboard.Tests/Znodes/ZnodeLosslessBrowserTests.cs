using Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Dashboard.Tests.Znodes;

/// <summary>Save pressed in headless Chromium on values kazoo wrote: the bytes in ZooKeeper stay exactly as they were, or become exactly what was typed.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeLosslessBrowserTests(SharedEnsemble ensemble, Browser browser) : IClassFixture<Browser>
{
    private string Server => ensemble.Sandbox.Voters.First().ClientAddress;

    [Fact]
    public async Task SaveInChromium_ValuesATextareaWouldDamage_StayByteExact()
    {
        var root = ZnodeFixture.UniqueRoot("ui-lossless");
        var classes = ZnodeLosslessEditTests.Classes().Where(c => c.Name != "megabyte").ToList();
        await Kazoo.RunAsync(Server, [new Kazoo.Op("create", root, ""), .. classes.Select(c => new Kazoo.Op("create", $"{root}/{c.Name}", c.Value is null ? null : Convert.ToHexString(c.Value)))]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var (page, problems) = await browser.NewPageAsync(app.Factory.StartRealServer());
        await SignInAsync(page);

        foreach (var (name, value, encoding) in classes)
        {
            await page.GotoAsync(ZnodeTestApp.PageUrl($"{root}/{name}"));
            await Browser.WaitForCircuitAsync(page);
            await page.ClickAsync("#znode-changes > summary");
            await Assertions.Expect(page.Locator("#znode-edit-form")).ToHaveAttributeAsync("data-encoding", encoding);
            await page.ClickAsync("#znode-edit-form button[type='submit']");
            await Assertions.Expect(page.Locator("#znode-write-outcome")).ToHaveAttributeAsync("data-outcome", "unchanged", new() { Timeout = 15_000 });
            var after = await Kazoo.GetAsync(Server, $"{root}/{name}");
            Assert.True(value is null ? after is null : after is not null && after.AsSpan().SequenceEqual(value), $"{name}: the bytes changed");
        }

        // An edit typed into the text field: the value's CRLF endings are put back on every line, new ones included.
        await page.GotoAsync(ZnodeTestApp.PageUrl($"{root}/crlf"));
        await Browser.WaitForCircuitAsync(page);
        await page.ClickAsync("#znode-changes > summary");
        Assert.Equal("line1\nline2\n", await page.InputValueAsync("#edit-data"));
        await page.FillAsync("#edit-data", "line1\nline2\nline3\n");
        await page.ClickAsync("#znode-edit-form button[type='submit']");
        await Assertions.Expect(page.Locator("#znode-write-outcome")).ToHaveAttributeAsync("data-outcome", "applied", new() { Timeout = 15_000 });
        Assert.Equal("line1\r\nline2\r\nline3\r\n"u8.ToArray(), (await Kazoo.GetAsync(Server, $"{root}/crlf"))!);

        // The leading newline reaches the text field intact.
        await page.GotoAsync(ZnodeTestApp.PageUrl($"{root}/leading-newline"));
        await Browser.WaitForCircuitAsync(page);
        Assert.StartsWith("\nafter", await page.InputValueAsync("#edit-data"), StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    internal static async Task SignInAsync(IPage page, string name = Access.AccessTestApp.OperatorName)
    {
        await page.GotoAsync("/sign-in");
        await page.FillAsync("#name", name);
        await page.FillAsync("#password", Access.AccessTestApp.PasswordOf(name));
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/sign-in", StringComparison.Ordinal));
    }
}
