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
        await Browser.WaitForCircuitAsync(page);

        Assert.Equal("Overview", (await page.Locator("h1").TextContentAsync())?.Trim());
        // MudBlazor's CSS and theme applied: the app bar has the theme's colour, not the default transparent one.
        var background = await page.Locator(".mud-appbar").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.NotEqual("rgba(0, 0, 0, 0)", background);
        Assert.Equal("Live", (await page.Locator("#components-reconnect-modal .live-when-up").TextContentAsync())?.Trim());
        Assert.Empty(problems);
    }

    [Fact]
    public async Task ThemeToggle_SwitchesToDarkAndRemembersIt()
    {
        await using var app = new DashboardAppFactory();
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        const string Background = "() => getComputedStyle(document.body).backgroundColor";
        var before = await page.EvaluateAsync<string>(Background);

        await page.ClickAsync("#theme-toggle");
        await Assertions.Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        var after = await page.EvaluateAsync<string>(Background);
        // No flash: the copy the server sends (before any script runs) is already dark.
        var served = await page.APIRequest.GetAsync("/");
        var html = await served.TextAsync();
        await page.ReloadAsync();
        var reloaded = await page.EvaluateAsync<string>(Background);

        Assert.NotEqual(before, after);
        Assert.Contains("data-theme=\"dark\"", html, StringComparison.Ordinal);
        Assert.Equal(after, reloaded);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task ClusterRegistryChange_IsPushedIntoOpenPage_WithoutReload()
    {
        await using var app = new DashboardAppFactory();
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        await page.EvaluateAsync("() => window.__marker = 'same page'");

        app.Registry.Upsert(new ClusterEntry(new ClusterDefinition("pushed", "Pushed cluster", "127.0.0.1:2181", ClusterOrigin.Settings), ClusterAvailability.Ready));

        await Assertions.Expect(page.Locator("tr[data-cluster-id='pushed']")).ToBeVisibleAsync();
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.__marker"));
        Assert.Empty(problems);
    }
}
