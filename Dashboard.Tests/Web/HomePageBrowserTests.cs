using Dashboard.Core.Clusters;
using Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Dashboard.Tests.Web;

/// <summary>What a person sees in a real browser: the template later browser tests extend.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HomePageBrowserTests(Browser browser)
{
    [Fact]
    public async Task Home_InChromium_RendersWithStylesAndNoConsoleErrors()
    {
        await using var app = new DashboardAppFactory();
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());

        await page.GotoAsync("/");

        Assert.Equal("Overview", (await page.Locator("h1").TextContentAsync())?.Trim());
        // Bootstrap's CSS applied: the active nav pill has the primary background, not the default transparent one.
        var background = await page.Locator("nav .nav-link.active").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.NotEqual("rgba(0, 0, 0, 0)", background);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task ThemeToggle_SwitchesToDarkAndRemembersIt()
    {
        await using var app = new DashboardAppFactory();
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        await page.GotoAsync("/");
        var before = await page.Locator("html").GetAttributeAsync("data-bs-theme");

        await page.ClickAsync("#theme-toggle");
        var after = await page.Locator("html").GetAttributeAsync("data-bs-theme");
        await page.ReloadAsync();
        var reloaded = await page.Locator("html").GetAttributeAsync("data-bs-theme");

        Assert.NotEqual(before, after);
        Assert.Equal(after, reloaded);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task ClusterRegistryChange_IsPushedIntoOpenPage_WithoutReload()
    {
        await using var app = new DashboardAppFactory();
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "connected");
        await page.EvaluateAsync("() => window.__marker = 'same page'");

        app.Registry.Upsert(new ClusterEntry(new ClusterDefinition("pushed", "Pushed cluster", "127.0.0.1:2181", ClusterOrigin.Settings), ClusterAvailability.Ready));

        await Assertions.Expect(page.Locator("tr[data-cluster-id='pushed']")).ToBeVisibleAsync();
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.__marker"));
        Assert.Empty(problems);
    }
}
