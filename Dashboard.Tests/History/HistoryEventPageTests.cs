using System.Globalization;
using Dashboard.Core.History;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.History;

/// <summary>
/// The History page's events grid asks the database for one page at a time: counted, filtered and ordered there,
/// on both stores (a local SQLite file and a real PostgreSQL server).
/// </summary>
public sealed class HistoryEventPageTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("history-page-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<HistoryReader> SeededAsync(string provider)
    {
        var options = provider == HistoryProvider.SqliteName
            ? new HistoryOptions { DatabasePath = Path.Combine(_folder, "history.db") }
            : new HistoryOptions { Provider = "postgres", ConnectionString = await server.CreateDatabaseAsync() };
        var database = new HistoryDatabase(options);
        database.Migrate();
        await using var writer = new HistoryWriter(database);
        writer.Start();
        // 120 node-down, 30 node-up, one of another cluster; one summary holds the LIKE wildcards literally.
        for (var i = 0; i < 150; i++)
        {
            var kind = i < 120 ? "node-down" : "node-up";
            writer.Enqueue(new EventWrite(new HistoryEvent("c", T0.AddSeconds(i), kind, (i % 3 + 1).ToString(CultureInfo.InvariantCulture), $"Event {i} of {kind}")));
        }
        writer.Enqueue(new EventWrite(new HistoryEvent("c", T0.AddSeconds(200), "role-changed", "2", "100% done_now")));
        writer.Enqueue(new EventWrite(new HistoryEvent("other", T0.AddSeconds(5), "node-down", "1", "Event of another cluster")));
        Assert.True(await writer.FlushAsync());
        return new HistoryReader(database);
    }

    [Theory]
    [InlineData(HistoryProvider.SqliteName)]
    [InlineData(HistoryProvider.PostgresName)]
    public async Task EventPage_CountsFiltersAndCutsInTheDatabase(string provider)
    {
        var reader = await SeededAsync(provider);
        var range = new EventQuery(T0, T0.AddHours(1));

        var first = await reader.EventPageAsync("c", range with { Kind = "node-down", PageSize = 50 });
        var third = await reader.EventPageAsync("c", range with { Kind = "node-down", PageSize = 50, Page = 3 });
        var pastTheEnd = await reader.EventPageAsync("c", range with { Kind = "node-down", PageSize = 50, Page = 99 });
        var oldest = await reader.EventPageAsync("c", range with { Sort = EventSort.Oldest, PageSize = 2 });
        var byKind = await reader.EventPageAsync("c", range with { Sort = EventSort.Kind, PageSize = 200 });
        var text = await reader.EventPageAsync("c", range with { Text = "EVENT 14" });
        var wildcards = await reader.EventPageAsync("c", range with { Text = "0% done_" });
        var percentOnly = await reader.EventPageAsync("c", range with { Text = "%" });
        var bySubject = await reader.EventPageAsync("c", range with { Kind = "node-up", Text = "3" });
        var narrow = await reader.EventPageAsync("c", new EventQuery(T0.AddSeconds(10), T0.AddSeconds(19)));

        Assert.Equal((120L, 3, 50), (first.Total, first.Pages, first.Rows.Count));
        Assert.Equal("Event 119 of node-down", first.Rows[0].Summary); // newest first
        Assert.Equal((3, 20), (third.Page, third.Rows.Count));
        Assert.Equal("Event 19 of node-down", third.Rows[0].Summary);
        Assert.Equal((3, 20), (pastTheEnd.Page, pastTheEnd.Rows.Count));
        Assert.Equal(["Event 0 of node-down", "Event 1 of node-down"], oldest.Rows.Select(r => r.Summary));
        Assert.Equal(151L, oldest.Total); // the other cluster's event is not counted
        Assert.Equal(["node-down", "node-up", "role-changed"], byKind.Rows.Select(r => r.Kind).Distinct());
        Assert.Equal(["Event 149 of node-up", "Event 148 of node-up", "Event 147 of node-up", "Event 146 of node-up", "Event 145 of node-up",
            "Event 144 of node-up", "Event 143 of node-up", "Event 142 of node-up", "Event 141 of node-up", "Event 140 of node-up", "Event 14 of node-down"],
            text.Rows.Select(r => r.Summary));
        Assert.Equal(["100% done_now"], wildcards.Rows.Select(r => r.Summary));
        Assert.Equal(["100% done_now"], percentOnly.Rows.Select(r => r.Summary));
        // The text is looked for in the subject (node "3") as well as in the summary.
        Assert.Equal(Enumerable.Range(120, 30).Count(i => i % 3 + 1 == 3 || $"Event {i} of node-up".Contains('3', StringComparison.Ordinal)), bySubject.Total);
        Assert.Contains(bySubject.Rows, r => r.Subject == "3" && !r.Summary.Contains('3', StringComparison.Ordinal));
        Assert.All(bySubject.Rows, r => Assert.True(r.Subject == "3" || r.Summary.Contains('3', StringComparison.Ordinal)));
        Assert.Equal(10L, narrow.Total);
    }

    [Fact]
    public void EventQuery_BadPageSizeOrText_IsRefusedWithAReason()
    {
        var range = new EventQuery(T0, T0.AddHours(1));

        Assert.Equal("'page' must be 1 or more", (range with { Page = 0 }).Validate());
        Assert.StartsWith("the page size", (range with { PageSize = EventQuery.MaxPageSize + 1 }).Validate(), StringComparison.Ordinal);
        Assert.StartsWith("the search text", (range with { Text = new string('x', EventQuery.MaxTextLength + 1) }).Validate(), StringComparison.Ordinal);
        Assert.Null(range.Validate());
    }
}
