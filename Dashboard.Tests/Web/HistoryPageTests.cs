using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dashboard.Core.History;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Tests.Web;

/// <summary>The History page served and in Chromium, and the history API, over history written through the app's own store.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class HistoryPageTests(Browser browser)
{
    private static readonly DateTimeOffset T0 = HistorySeed.T0;

    private static DashboardAppFactory App() => new(new()
    {
        ["Dashboard:Clusters:0:Id"] = HistorySeed.ClusterId,
        ["Dashboard:Clusters:0:Name"] = "History test",
        // Nothing listens here: the monitor's own polls see every node down, which the test does not rely on.
        ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:9,127.0.0.1:10,127.0.0.1:11",
    });

    private static Task SeedAsync(DashboardAppFactory app) =>
        HistorySeed.ElectionAsync(app.Services.GetRequiredService<EnsembleHistoryRecorder>(), app.Services.GetRequiredService<HistoryWriter>());

    [Fact]
    public async Task Page_UnknownClusterAnswers404_BadInputStillAPage()
    {
        await using var app = App();
        using var client = app.CreateClient();

        var unknown = await client.GetAsync(new Uri("/history?cluster=nope", UriKind.Relative));
        var first = await client.GetAsync(new Uri("/history", UriKind.Relative));
        var badTime = await client.GetAsync(new Uri("/history?cluster=hist&from=yesterday-ish", UriKind.Relative));
        var badKind = await client.GetAsync(new Uri("/history?cluster=hist&kind=explosion&page=0", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("There is nothing at this address", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // Bad input is said on the page (the prerendered HTML), which is not an error page.
        Assert.Equal(HttpStatusCode.OK, badTime.StatusCode);
        Assert.Contains("&#x27;from&#x27; is not a time", await badTime.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, badKind.StatusCode);
        Assert.Contains("is not an event kind", await badKind.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_EventsFilteredByKind_EnsembleAsOf_AndClearErrors()
    {
        await using var app = App();
        using var client = app.CreateClient();
        await SeedAsync(app);

        using var events = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/clusters/hist/events?{HistorySeed.Range}&kind=leader-changed", UriKind.Relative)));
        using var asOf = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/clusters/hist/ensemble?at={Uri.EscapeDataString(T0.AddSeconds(130).ToString("O"))}", UriKind.Relative)));
        var badTime = await client.GetAsync(new Uri("/api/clusters/hist/events?from=soon", UriKind.Relative));
        var unknown = await client.GetAsync(new Uri("/api/clusters/nope/events", UriKind.Relative));
        var tooEarly = await client.GetAsync(new Uri("/api/clusters/hist/ensemble?at=2001-01-01T00:00:00Z", UriKind.Relative));

        var list = events.RootElement.GetProperty("events");
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal(64000, list[0].GetProperty("data").GetProperty("noLeaderMs").GetDouble());
        Assert.Equal(2, asOf.RootElement.GetProperty("leaderId").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
        using var badTimeBody = JsonDocument.Parse(await badTime.Content.ReadAsStringAsync());
        Assert.StartsWith("'from' is not a time", badTimeBody.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, tooEarly.StatusCode);
    }

    [Fact]
    public async Task InChromium_ChartsDrawn_EventGridPages_UrlKeepsTheFilterAcrossReloadAndBack()
    {
        await using var app = App();
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        await SeedAsync(app);
        await HistorySeed.FlapsAsync(app.Services.GetRequiredService<HistoryWriter>(), 120);

        await page.GotoAsync($"/history?cluster=hist&{HistorySeed.Range}&kind=role-changed&q=flap");
        await Browser.WaitForCircuitAsync(page);

        // uPlot draws on a canvas in the module the component imported; the six polls are six points.
        var latency = page.Locator("[data-measure='latencyAvgMs']");
        await Assertions.Expect(latency).ToHaveAttributeAsync("data-drawn", "true");
        Assert.Equal("6", await latency.GetAttributeAsync("data-points"));
        Assert.Equal(1, await latency.Locator("canvas").CountAsync());
        await Assertions.Expect(page.Locator("[data-metrics-chart][data-drawn='true']")).ToHaveCountAsync(6);

        var count = page.Locator("#events-count");
        await Assertions.Expect(count).ToHaveAttributeAsync("data-total", "120");
        await Assertions.Expect(page.Locator("#timeline [data-field=summary]").First).ToHaveTextAsync("flap 119");
        await page.Locator("#events-pages button").Filter(new() { HasTextRegex = PageButtonTwo() }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(PageTwo());
        await Assertions.Expect(count).ToHaveAttributeAsync("data-page", "2");
        await Assertions.Expect(page.Locator("#timeline [data-field=summary]").First).ToHaveTextAsync("flap 69");
        Assert.Contains("kind=role-changed", page.Url, StringComparison.Ordinal);
        Assert.Contains("q=flap", page.Url, StringComparison.Ordinal);

        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(count).ToHaveAttributeAsync("data-page", "2");
        await Assertions.Expect(page.Locator("#timeline [data-field=summary]").First).ToHaveTextAsync("flap 69");

        await page.GoBackAsync();
        await Assertions.Expect(count).ToHaveAttributeAsync("data-page", "1");
        await Assertions.Expect(page.Locator("#timeline [data-field=summary]").First).ToHaveTextAsync("flap 119");
        Assert.DoesNotContain("page=", page.Url, StringComparison.Ordinal);
        Assert.Contains("kind=role-changed", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-metrics-chart] canvas")).ToHaveCountAsync(6);
        Assert.Empty(problems);
    }

    [GeneratedRegex(@"^\s*2\s*$")]
    private static partial Regex PageButtonTwo();

    [GeneratedRegex(@"[?&]page=2(&|$)")]
    private static partial Regex PageTwo();
}
