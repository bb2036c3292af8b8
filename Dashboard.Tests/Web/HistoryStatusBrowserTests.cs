using Dapper;
using Dashboard.Core.History;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Tests.Web;

[Collection(BrowserCollection.Name)]
public sealed class HistoryStatusBrowserTests(Browser browser)
{
    [Fact]
    public async Task HistoryDatabaseLocked_OpenPageShowsDegradedBanner_ThenItGoesWhenWritingResumes()
    {
        await using var app = new DashboardAppFactory(new() { ["History:BusyTimeout"] = "00:00:00.100" });
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        var writer = app.Services.GetRequiredService<HistoryWriter>();
        var database = app.Services.GetRequiredService<HistoryDatabase>();
        Assert.True(await writer.FlushAsync());
        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#history-status .mud-alert")).ToHaveCountAsync(0);

        // Another process holding the write lock: a real fault, not a fake.
        using (var other = database.Open())
        {
            other.Execute("BEGIN EXCLUSIVE");
            writer.Enqueue(new EventWrite(new HistoryEvent("c", DateTimeOffset.UtcNow, "node-down", "1", "test")));
            await Assertions.Expect(page.Locator("#history-status .mud-alert")).ToContainTextAsync("locked");
            Assert.Contains("History is degraded", await page.Locator("#history-status").TextContentAsync(), StringComparison.Ordinal);
            other.Execute("ROLLBACK");
        }

        await Assertions.Expect(page.Locator("#history-status .mud-alert")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
        Assert.Empty(problems);
    }
}
