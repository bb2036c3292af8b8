using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Tests.Web;

/// <summary>The History page and API over history written through the app's own store.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HistoryPageTests(Browser browser)
{
    private static readonly HtmlParser Parser = new();
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddHours(-2);

    private static DashboardAppFactory App() => new(new()
    {
        ["Dashboard:Clusters:0:Id"] = "hist",
        ["Dashboard:Clusters:0:Name"] = "History test",
        // Nothing listens here: the monitor's own polls see every node down, which the test does not rely on.
        ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:9,127.0.0.1:10,127.0.0.1:11",
    });

    private static EnsembleSnapshot Snapshot(string roles, DateTimeOffset at)
    {
        var nodes = roles.Select((c, i) => new NodeStatus("10.0.0." + (i + 1), 2181, c switch
        {
            'L' => NodeRole.Leader,
            'F' => NodeRole.Follower,
            _ => NodeRole.Down,
        })
        { Id = i + 1, IsVoter = true, LatencyAvgMs = i + 0.5, LatencyMaxMs = 9, Outstanding = 0, Connections = 2, ZnodeCount = 50, WatchCount = 1 }).ToImmutableArray();
        return new EnsembleSnapshot("hist", at, TimeSpan.FromMilliseconds(5), nodes, QuorumAnalysis.Analyze(nodes), []);
    }

    private static async Task SeedAsync(DashboardAppFactory app)
    {
        var recorder = app.Services.GetRequiredService<EnsembleHistoryRecorder>();
        var writer = app.Services.GetRequiredService<HistoryWriter>();
        EnsembleSnapshot? previous = null;
        foreach (var (roles, seconds) in new[] { ("LFF", 0), ("LFF", 60), ("DFF", 120), ("DLF", 124), ("FLF", 300), ("FLF", 360) })
        {
            var snapshot = Snapshot(roles, T0.AddSeconds(seconds));
            recorder.Record(snapshot, EnsembleEvent.Between(previous, snapshot));
            previous = snapshot;
        }
        Assert.True(await writer.FlushAsync());
    }

    [Fact]
    public async Task Page_ShowsElectionWithDuration_TimelineAndAsOfTopology()
    {
        await using var app = App();
        using var client = app.CreateClient();
        await SeedAsync(app);

        var at = Uri.EscapeDataString(T0.AddSeconds(130).ToString("O"));
        var html = await client.GetStringAsync(new Uri($"/history?cluster=hist&from={Uri.EscapeDataString(T0.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(T0.AddMinutes(30).ToString("O"))}&at={at}", UriKind.Relative));
        var page = await Parser.ParseDocumentAsync(html);

        var election = Assert.Single(page.QuerySelectorAll("#elections tbody tr"));
        Assert.Contains("node 2", election.TextContent, StringComparison.Ordinal);
        Assert.Equal("64000", election.QuerySelector("[data-no-leader-ms]")?.GetAttribute("data-no-leader-ms"));
        Assert.Contains(page.QuerySelectorAll("#timeline li"), li => li.GetAttribute("data-kind") == "node-down");
        Assert.Contains("leader node 2", page.QuerySelector("#as-of")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("#as-of svg"));
        Assert.Equal(6, page.QuerySelectorAll("[data-metrics-chart]").Length);
    }

    [Fact]
    public async Task Page_BadRangeOrKind_SaysWhatIsWrong_NotAnErrorPage()
    {
        await using var app = App();
        using var client = app.CreateClient();

        var badTime = await client.GetAsync(new Uri("/history?cluster=hist&from=yesterday-ish", UriKind.Relative));
        var badKind = await client.GetStringAsync(new Uri("/history?cluster=hist&kind=explosion", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, badTime.StatusCode);
        Assert.Contains("'from' is not a time", (await Parser.ParseDocumentAsync(await badTime.Content.ReadAsStringAsync())).QuerySelector("#history-error")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("not an event kind", (await Parser.ParseDocumentAsync(badKind)).QuerySelector("#history-error")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_EventsFilteredByKind_EnsembleAsOf_AndClearErrors()
    {
        await using var app = App();
        using var client = app.CreateClient();
        await SeedAsync(app);
        var range = $"from={Uri.EscapeDataString(T0.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(T0.AddMinutes(30).ToString("O"))}";

        using var events = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/clusters/hist/events?{range}&kind=leader-changed", UriKind.Relative)));
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
    public async Task Charts_InChromium_DrawStoredMetricsWithNoConsoleErrors()
    {
        await using var app = App();
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        await SeedAsync(app);

        await page.GotoAsync($"/history?cluster=hist&from={Uri.EscapeDataString(T0.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(T0.AddMinutes(30).ToString("O"))}");

        var latency = page.Locator("[data-measure='latencyAvgMs']");
        await Assertions.Expect(latency).ToHaveAttributeAsync("data-drawn", "true");
        Assert.Equal("6", await latency.GetAttributeAsync("data-points"));
        Assert.Equal(1, await latency.Locator("canvas").CountAsync());
        Assert.Empty(problems);
    }
}
