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

    /// <summary>
    /// A value near ZooKeeper's 1 MB limit crosses the circuit both ways: shown in the field (base64, 1.3 MB of
    /// text), saved unchanged, then replaced by another megabyte typed into the field and read back by kazoo; a
    /// value over the limit is refused, not cut.
    /// </summary>
    [Fact]
    public async Task SaveInChromium_AMegabyteValue_UnchangedThenReplacedByteExact()
    {
        var root = ZnodeFixture.UniqueRoot("ui-megabyte");
        var random = new Random(13);
        var original = new byte[1_000_000];
        random.NextBytes(original);
        var replacement = new byte[1_000_000];
        random.NextBytes(replacement);
        await Kazoo.RunAsync(Server, [new Kazoo.Op("create", root, Convert.ToHexString(original))]);
        await using var app = ZnodeTestApp.Start(Server, allowWrites: true);
        var (page, problems) = await browser.NewPageAsync(app.Factory.StartRealServer());
        await SignInAsync(page);

        await page.GotoAsync(ZnodeTestApp.PageUrl(root));
        await Browser.WaitForCircuitAsync(page);
        await page.ClickAsync("#znode-changes > summary");
        await Assertions.Expect(page.Locator("#znode-edit-form")).ToHaveAttributeAsync("data-encoding", "base64");
        Assert.Equal(Convert.ToBase64String(original), await page.InputValueAsync("#edit-data"));
        await page.ClickAsync("#znode-edit-form button[type='submit']");
        await Assertions.Expect(page.Locator("#znode-write-outcome")).ToHaveAttributeAsync("data-outcome", "unchanged", new() { Timeout = 30_000 });
        Assert.Equal(original, await Kazoo.GetAsync(Server, root));

        await page.FillAsync("#edit-data", Convert.ToBase64String(replacement));
        await page.ClickAsync("#znode-edit-form button[type='submit']");
        await Assertions.Expect(page.Locator("#znode-write-outcome")).ToHaveAttributeAsync("data-outcome", "applied", new() { Timeout = 30_000 });
        Assert.Equal(replacement, await Kazoo.GetAsync(Server, root));

        // Over the limit: refused naming the setting, never cut to fit (MudBlazor's default maxlength of 524,288
        // characters once cut the replacement above to 393,216 bytes and saved it as applied).
        var tooLarge = new byte[1_100_000];
        random.NextBytes(tooLarge);
        await page.FillAsync("#edit-data", Convert.ToBase64String(tooLarge));
        await page.ClickAsync("#znode-edit-form button[type='submit']");
        await Assertions.Expect(page.Locator("#znode-write-outcome")).ToHaveAttributeAsync("data-outcome", "refused", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#znode-write-outcome")).ToContainTextAsync("Znodes:MaxFrameSize");
        Assert.Equal(replacement, await Kazoo.GetAsync(Server, root));
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
