using System.Diagnostics;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Tests.Access;

/// <summary>
/// An open interactive page sends no more requests, so the cookie check never sees it again: the circuit's own
/// revalidation must end it. A revoked session's page turns "not authorized" within a minute, without a reload.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CircuitRevocationBrowserTests(Browser browser)
{
    [Fact]
    public async Task OpenEnsemblePage_SessionRevokedByAdmin_PageBecomesNotAuthorizedWithinAMinute()
    {
        await using var app = AccessTestApp.Create(new() { ["Dashboard:Clusters:0:Name"] = "Local", ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:1" });
        var (page, _) = await browser.NewPageAsync(app.StartRealServer());
        await page.GotoAsync("/sign-in");
        await page.FillAsync("#name", AccessTestApp.OperatorName);
        await page.FillAsync("#password", AccessTestApp.OperatorPassword);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.GotoAsync("/clusters/local/ensemble");
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#ensemble-live")).ToBeVisibleAsync();
        await page.EvaluateAsync("() => window.__marker = 'same page'");

        // The admin page's action, on the store it calls: the operator's session ends.
        var sessions = app.Services.GetRequiredService<SessionStore>();
        var session = Assert.Single(await sessions.ListActiveAsync(), s => s.User == AccessTestApp.OperatorName);
        Assert.NotNull(await sessions.EndAsync(session.Id, AccessTestApp.AdminName, "revoked by an admin"));
        var revoked = Stopwatch.StartNew();

        await Assertions.Expect(page.Locator("#access-refused")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(60), $"took {revoked.Elapsed}");
        Assert.True(revoked.Elapsed < CircuitAuthenticationRevalidation.Interval + TimeSpan.FromSeconds(15), $"took {revoked.Elapsed}, the interval is {CircuitAuthenticationRevalidation.Interval}");
        await Assertions.Expect(page.Locator("#ensemble-live")).ToHaveCountAsync(0);
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.__marker"));
    }
}
