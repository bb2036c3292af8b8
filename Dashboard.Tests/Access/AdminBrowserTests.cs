using System.Net;
using System.Net.Http.Headers;
using Dashboard.Core.Access;
using Dashboard.Core.History;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Dashboard.Tests.Access;

/// <summary>
/// The admin pages in Chromium under the real Content Security Policy: a token created and revoked in the circuit,
/// the audit grid paged and filtered with its state in the URL across a reload and back, the membership page's
/// circuit, and a viewer and an operator refused each page. Any console error or CSP violation fails.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminBrowserTests(Browser browser)
{
    private static DashboardAppFactory App() => AccessTestApp.Create(new()
    {
        ["Dashboard:Clusters:0:Name"] = "Local",
        // Nothing listens there: the membership page's plan says it cannot read the ensemble.
        ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:1",
    });

    private async Task<(IPage Page, List<string> Problems)> SignedInAsync(Uri address, string name)
    {
        var (page, problems) = await browser.NewPageAsync(address);
        await page.ExposeFunctionAsync("reportCsp", (string text) => problems.Add("CSP: " + text));
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => window.reportCsp(e.violatedDirective + ' ' + e.blockedURI))");
        await page.GotoAsync("/sign-in");
        await page.FillAsync("#name", name);
        await page.FillAsync("#password", AccessTestApp.PasswordOf(name));
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await Browser.WaitForCircuitAsync(page);
        return (page, problems);
    }

    [Fact]
    public async Task TokensPage_AdminCreatesThenRevokesAToken_InTheCircuit()
    {
        await using var app = App();
        var address = app.StartRealServer();
        var (page, problems) = await SignedInAsync(address, AccessTestApp.AdminName);
        using var script = new HttpClient { BaseAddress = address };

        await page.GotoAsync("/admin/tokens");
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("API tokens");
        await page.FillAsync("#token-name", "browser-bot");
        await page.ClickAsync("#create-token-button");
        await Assertions.Expect(page.Locator("[data-token-secret]")).ToContainTextAsync(ApiTokenStore.Prefix);
        var secret = (await page.Locator("[data-token-secret]").TextContentAsync())!.Trim();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("created");
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(script, secret)).StatusCode);

        var row = page.Locator("#token-list tr[data-token-id]", new() { HasText = "browser-bot" });
        await row.Locator("[data-action=revoke]").ClickAsync();
        await Assertions.Expect(page.Locator("#revoke-question")).ToBeVisibleAsync();
        await page.ClickAsync("#confirm-revoke");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "revoked");
        await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "revoked" })).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await WhoAmIAsync(script, secret)).StatusCode);

        // A reload shows the list, never the secret again.
        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#token-list")).ToContainTextAsync("browser-bot");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task AuditPage_PagesAndFilters_TheUrlKeepsThemAcrossReloadAndBack()
    {
        await using var app = App();
        var address = app.StartRealServer();
        var writer = app.Services.GetRequiredService<HistoryWriter>();
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 0; i < 120; i++) writer.Enqueue(new AuditWrite(new AuditEntry(t0.AddSeconds(i), i % 2 == 0 ? "even" : "odd", "10.0.0.1", "znode-set", $"/n{i:000}", AuditOutcome.Succeeded)));
        Assert.True(await writer.FlushAsync());
        var (page, problems) = await SignedInAsync(address, AccessTestApp.AdminName);

        await page.GotoAsync("/admin/audit?action=znode-set");
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#audit-entries tbody tr")).ToHaveCountAsync(50);
        await page.Locator("#audit-pagination button", new() { HasText = "3" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("page=3"));
        await Assertions.Expect(page.Locator("#audit-entries tbody tr")).ToHaveCountAsync(20);

        await page.FillAsync("#user", "even");
        await page.PressAsync("#user", "Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("user=even"));
        await Assertions.Expect(page.Locator("#audit-count")).ToContainTextAsync("60 entries match");
        Assert.DoesNotContain("page=3", page.Url, StringComparison.Ordinal);

        await page.ReloadAsync();
        await Browser.WaitForCircuitAsync(page);
        await Assertions.Expect(page.Locator("#audit-count")).ToContainTextAsync("60 entries match");
        Assert.Equal("even", await page.InputValueAsync("#user"));

        await page.GoBackAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("page=3"));
        await Assertions.Expect(page.Locator("#audit-entries tbody tr")).ToHaveCountAsync(20);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task AuditExport_DownloadsFromTheOpenPage_AndAFailedExportSaysWhyOnThePage()
    {
        await using var app = App();
        var (page, problems) = await SignedInAsync(app.StartRealServer(), AccessTestApp.AdminName);

        await page.GotoAsync("/admin/audit?action=sign-in");
        await Browser.WaitForCircuitAsync(page);
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#audit-csv"));
        Assert.StartsWith("audit-", download.SuggestedFilename, StringComparison.Ordinal);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("time_utc,user,address,action,target,outcome", csv, StringComparison.Ordinal);
        Assert.Contains($",{AccessTestApp.AdminName},", csv, StringComparison.Ordinal);
        // The download kept the page: its circuit is still the same one.
        await Assertions.Expect(page.Locator("#components-reconnect-modal")).ToHaveAttributeAsync("data-circuit", "interactive");

        await page.GotoAsync("/admin/audit?from=yesterday");
        await Browser.WaitForCircuitAsync(page);
        await page.ClickAsync("#audit-csv");
        await Assertions.Expect(page.Locator("#audit-export-problem")).ToContainTextAsync("not a UTC time");
        Assert.Contains("exportError=bad-time", page.Url, StringComparison.Ordinal);
        // Chromium reports the navigation that became a download as aborted: that is the download, not a failure.
        Assert.DoesNotContain(problems, p => !(p.StartsWith("request failed", StringComparison.Ordinal) && p.Contains("/admin/audit.csv", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task MembershipPage_Admin_CircuitUpAndAnUnreadableEnsembleSaidOnThePage()
    {
        await using var app = App();
        var (page, problems) = await SignedInAsync(app.StartRealServer(), AccessTestApp.AdminName);

        await page.GotoAsync("/clusters/local/ensemble");
        await Browser.WaitForCircuitAsync(page);
        await page.ClickAsync("#membership-link");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("membership");
        await Browser.WaitForCircuitAsync(page);
        await page.FillAsync("#servers", "2");
        await page.ClickAsync("#show-plan");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("servers=2"));
        await Assertions.Expect(page.Locator("#membership-message")).ToContainTextAsync("could not be read", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#open-start")).ToHaveCountAsync(0);
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData(AccessTestApp.ViewerName)]
    [InlineData(AccessTestApp.OperatorName)]
    public async Task AdminPages_ViewerOrOperator_Refused(string name)
    {
        await using var app = App();
        var (page, problems) = await SignedInAsync(app.StartRealServer(), name);

        foreach (var path in new[] { "/admin/tokens", "/admin/audit", "/membership", "/clusters/local/membership" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(403, response!.Status);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Not allowed");
            await Assertions.Expect(page.Locator("#app-navigation a[href^='/admin']")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#app-navigation a[href='/membership']")).ToHaveCountAsync(0);
        }
        // The refused pages' 403 answers (and Chromium's console line for each) are what the test asked for; anything else is a problem.
        Assert.DoesNotContain(problems, p => !p.StartsWith("HTTP 403", StringComparison.Ordinal) && !p.Contains("status of 403", StringComparison.Ordinal));
        Assert.Equal(4, problems.Count(p => p.StartsWith("HTTP 403", StringComparison.Ordinal)));
    }

    private static async Task<HttpResponseMessage> WhoAmIAsync(HttpClient client, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/me", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return await client.SendAsync(request);
    }
}
