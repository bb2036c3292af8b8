using Bunit;
using Dapper;
using Dashboard.Api;
using Dashboard.Components.Controls;
using Dashboard.Components.Pages.History;
using Dashboard.Core.Clusters;
using Dashboard.Core.History;
using Dashboard.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Web;

/// <summary>
/// The History page and the history status banner in bUnit, over a real SQLite history written by the app's own
/// recorder and writer.
/// </summary>
public sealed class HistoryComponentTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = HistorySeed.T0;
    private readonly string _folder = Directory.CreateTempSubdirectory("history-ui-").FullName;
    private readonly HistoryDatabase _database;
    private readonly HistoryWriter _writer;
    private readonly ComponentContext _ui;

    public HistoryComponentTests()
    {
        _database = new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(_folder, "history.db"), BusyTimeout = TimeSpan.FromMilliseconds(100) });
        _database.Migrate();
        _writer = new HistoryWriter(_database) { FirstRetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromMilliseconds(200) };
        _writer.Start();
        var registry = new ClusterRegistry([new ClusterDefinition(HistorySeed.ClusterId, "History test", "10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2181", ClusterOrigin.Settings)]);
        _ui = new ComponentContext(s => s.AddSingleton(registry).AddSingleton(_writer).AddSingleton(new HistoryReader(_database))
            .AddSingleton(new KafkaHistoryReader(_database)).AddSingleton(TimeProvider.System));
        _ui.Bunit.Render<MudPopoverProvider>();
    }

    public Task InitializeAsync() => HistorySeed.ElectionAsync(new EnsembleHistoryRecorder(_writer, _database.Options), _writer);

    public async Task DisposeAsync()
    {
        await _ui.DisposeAsync();
        await _writer.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private NavigationManager Navigation => _ui.Bunit.Services.GetRequiredService<NavigationManager>();

    private static string From => T0.AddMinutes(-1).ToString("O");
    private static string To => T0.AddMinutes(30).ToString("O");

    /// <summary>The page at an address: bUnit supplies the query parameters from its NavigationManager, as the router does.</summary>
    private IRenderedComponent<HistoryPage> RenderPage(string? kind = null, string? at = null, string? text = null, int? page = null, string from = "", string to = "", string? sort = null)
    {
        from = from.Length == 0 ? From : from;
        to = to.Length == 0 ? To : to;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters("/history", new Dictionary<string, object?>
        {
            ["cluster"] = HistorySeed.ClusterId, ["kind"] = kind, ["from"] = from, ["to"] = to, ["at"] = at, ["q"] = text, ["page"] = page, ["sort"] = sort,
        }));
        return _ui.Bunit.Render<HistoryPage>();
    }

    [Fact]
    public void Page_ShowsElectionWithDuration_TimelineAndAsOfTopology()
    {
        var cut = RenderPage(at: T0.AddSeconds(130).ToString("O"));

        var election = Assert.Single(cut.FindAll("#elections tbody tr"));
        Assert.Contains("node 2", election.TextContent, StringComparison.Ordinal);
        Assert.Equal("64000", election.QuerySelector("[data-no-leader-ms]")?.GetAttribute("data-no-leader-ms"));
        Assert.Contains(cut.FindAll("#timeline [data-kind]"), e => e.GetAttribute("data-kind") == "node-down");
        Assert.Contains("leader node 2", cut.Find("#as-of").TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("#as-of svg"));
        Assert.Equal(6, cut.FindAll("[data-metrics-chart]").Count);
    }

    [Fact]
    public void Page_BadRangeKindOrPage_SaysWhatIsWrong_AndShowsWhatItCan()
    {
        var badTime = RenderPage(from: "yesterday-ish");
        Assert.Contains("'from' is not a time", badTime.Find("#history-error").TextContent, StringComparison.Ordinal);

        var badKind = RenderPage(kind: "explosion", page: 0, sort: "7");
        var error = badKind.Find("#history-error").TextContent;
        Assert.Contains("'sort' must be one of newest, oldest, kind", error, StringComparison.Ordinal);
        Assert.Contains("not an event kind", error, StringComparison.Ordinal);
        Assert.Contains("'page' must be 1 or more", error, StringComparison.Ordinal);
        Assert.NotEmpty(badKind.FindAll("#timeline [data-kind]")); // every kind, first page
    }

    [Fact]
    public async Task EventGrid_HoldsOnePage_PagingKeepsKindAndSearchInTheUrl()
    {
        await HistorySeed.FlapsAsync(_writer, 120);
        var cut = RenderPage(kind: "role-changed", text: "flap");

        var count = cut.Find("#events-count");
        Assert.Equal(("120", "1", "3"), (count.GetAttribute("data-total"), count.GetAttribute("data-page"), count.GetAttribute("data-pages")));
        Assert.Equal(EventQuery.DefaultPageSize, cut.FindAll("#timeline [data-field=summary]").Count);
        Assert.Equal("flap 119", cut.FindAll("#timeline [data-field=summary]")[0].TextContent.Trim());

        cut.FindAll("#events-pages button").Single(b => b.TextContent.Trim() == "2").Click();

        var uri = new Uri(Navigation.Uri);
        Assert.Contains("page=2", uri.Query, StringComparison.Ordinal);
        Assert.Contains("kind=role-changed", uri.Query, StringComparison.Ordinal);
        Assert.Contains("q=flap", uri.Query, StringComparison.Ordinal);
        Assert.Contains("cluster=hist", uri.Query, StringComparison.Ordinal);
        // The navigation re-reads the page from the database: the second page of 50, the filter kept.
        cut.WaitForAssertion(() => Assert.Equal("flap 69", cut.FindAll("#timeline [data-field=summary]")[0].TextContent.Trim()));
        Assert.Equal("2", cut.Find("#events-count").GetAttribute("data-page"));
        Assert.Equal("120", cut.Find("#events-count").GetAttribute("data-total"));

        var last = RenderPage(kind: "role-changed", text: "flap", page: 3);
        Assert.Equal(20, last.FindAll("#timeline [data-field=summary]").Count);
        Assert.Equal("flap 19", last.FindAll("#timeline [data-field=summary]")[0].TextContent.Trim());
    }

    [Fact]
    public async Task EventGrid_NameWithBidiOrZeroWidthCharacter_IsMarked()
    {
        _writer.Enqueue(new EventWrite(new HistoryEvent(HistorySeed.ClusterId, T0.AddSeconds(500), "role-changed", "3\u202E1", "node \u200Bthree flipped")));
        Assert.True(await _writer.FlushAsync());

        var cut = RenderPage(kind: "role-changed", text: "flipped");

        Assert.Equal(2, cut.FindAll("#timeline [data-hidden-char]").Count);
        Assert.DoesNotContain("\u202E", cut.Find("#timeline").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Range_ShowPutsBothEndsInTheUrl_AndTheGridReadsThatRange()
    {
        var cut = RenderPage(kind: "node-down");
        var from = TimeRange.ForInput(T0.AddSeconds(110));
        var to = TimeRange.ForInput(T0.AddSeconds(130));

        cut.Find("#from").Change(from);
        cut.Find("#to").Change(to);
        Assert.DoesNotContain(Uri.EscapeDataString(from), Navigation.Uri, StringComparison.Ordinal); // an edit alone does not navigate
        cut.Find("#range-show").Click();

        var query = new Uri(Navigation.Uri).Query;
        Assert.Contains("from=" + Uri.EscapeDataString(from), query, StringComparison.Ordinal);
        Assert.Contains("to=" + Uri.EscapeDataString(to), query, StringComparison.Ordinal);
        Assert.Contains("kind=node-down", query, StringComparison.Ordinal);
        TimeRange.TryParse(from, to, TimeSpan.Zero, T0, out var range, out _);
        var expected = await new HistoryReader(_database).EventPageAsync(HistorySeed.ClusterId, new EventQuery(range.From, range.To) { Kind = "node-down" });
        Assert.Equal(1L, expected.Total); // node 1 at +120 s
        cut.WaitForAssertion(() => Assert.Equal("1", cut.Find("#events-count").GetAttribute("data-total")));
    }

    [Fact]
    public void AsOf_ShowPutsTheTimeInTheUrl_KeepingTheRange()
    {
        var cut = RenderPage();

        cut.Find("#at").Change("2026-11-21T03:00:05");
        cut.Find("#as-of-show").Click();

        var query = new Uri(Navigation.Uri).Query;
        Assert.Contains("at=2026-11-21T03%3A00%3A05", query, StringComparison.Ordinal);
        Assert.Contains("from=", query, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_DrawnByTheChartsModule_ShowsItsAnswer()
    {
        var module = _ui.Bunit.JSInterop.SetupModule("./dist/charts.js");
        module.Setup<ChartDrawResult>("draw", _ => true).SetResult(new ChartDrawResult(6, null));

        var cut = _ui.Bunit.Render<MetricChart>(p => p.Add(c => c.ClusterId, "hist").Add(c => c.Nodes, ["1", "2"]).Add(c => c.From, T0)
            .Add(c => c.To, T0.AddHours(1)).Add(c => c.Measure, "latencyAvgMs").Add(c => c.Label, "Latency avg (ms)"));

        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-metrics-chart]").GetAttribute("data-drawn")));
        Assert.Equal("6", cut.Find("[data-metrics-chart]").GetAttribute("data-points"));
        var spec = module.Invocations["draw"].Single().Arguments[1]!;
        Assert.Equal("latencyAvgMs", spec.GetType().GetProperty("Measure")!.GetValue(spec));
    }

    [Fact]
    public void StatusBanner_DatabaseLocked_SaysDegradedWithWaitingWrites_ThenGoesWhenWritingResumes()
    {
        var cut = _ui.Bunit.Render<HistoryStatusLive>();
        Assert.Empty(cut.FindAll("#history-status .mud-alert"));

        using (var other = _database.Open())
        {
            other.Execute("BEGIN EXCLUSIVE");
            _writer.Enqueue(new EventWrite(new HistoryEvent("c", DateTimeOffset.UtcNow, "node-down", "1", "test")));
            cut.WaitForAssertion(() => Assert.Contains("locked", cut.Find("#history-status .mud-alert").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
            Assert.Contains("History is degraded", cut.Find("#history-status").TextContent, StringComparison.Ordinal);
            Assert.NotEqual("0", cut.Find("#history-status .mud-alert").GetAttribute("data-pending")); // the write waits in memory to catch up
            other.Execute("ROLLBACK");
        }

        // The writer retries by itself; the banner goes when the waiting write is in.
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#history-status .mud-alert")), TimeSpan.FromSeconds(20));
    }
}
