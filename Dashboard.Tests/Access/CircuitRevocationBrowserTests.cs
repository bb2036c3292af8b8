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
        var address = app.StartRealServer();
        var (page, _) = await browser.NewPageAsync(address);
        await page.GotoAsync("/sign-in");
        await page.FillAsync("#name", AccessTestApp.OperatorName);
        await page.FillAsync("#password", AccessTestApp.OperatorPassword);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.GotoAsync("/clusters/local/ensemble");
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#ensemble-live")).ToBeVisibleAsync();
        await page.EvaluateAsync("() => window.__marker = 'same page'");

        // An admin, in another browser, revokes the operator's session on the sessions page.
        var (admin, adminProblems) = await browser.NewPageAsync(address);
        await admin.GotoAsync("/sign-in");
        await admin.FillAsync("#name", AccessTestApp.AdminName);
        await admin.FillAsync("#password", AccessTestApp.AdminPassword);
        await admin.ClickAsync("#sign-in-form button[type=submit]");
        await admin.GotoAsync("/admin/sessions");
        await Browser.WaitForCircuitAsync(admin);
        await admin.ClickAsync($"#session-list tr[data-user={AccessTestApp.OperatorName}] [data-action=revoke]");
        await Assertions.Expect(admin.Locator("#session-message")).ToContainTextAsync("The session was revoked.");
        await Assertions.Expect(admin.Locator($"#session-list tr[data-user={AccessTestApp.OperatorName}]")).ToHaveCountAsync(0);
        Assert.DoesNotContain(await app.Services.GetRequiredService<SessionStore>().ListActiveAsync(), x => x.User == AccessTestApp.OperatorName);
        Assert.Empty(adminProblems);
        var revoked = Stopwatch.StartNew();

        await Assertions.Expect(page.Locator("#access-refused")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(60), $"took {revoked.Elapsed}");
        Assert.True(revoked.Elapsed < CircuitAuthenticationRevalidation.Interval + TimeSpan.FromSeconds(15), $"took {revoked.Elapsed}, the interval is {CircuitAuthenticationRevalidation.Interval}");
        await Assertions.Expect(page.Locator("#ensemble-live")).ToHaveCountAsync(0);
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.__marker"));
    }
}
