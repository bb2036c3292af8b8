using System.Globalization;
using System.Net;
using Bunit;
using Dashboard.Access;
using Dashboard.Components.Pages.Admin;
using Dashboard.Core.Access;
using Dashboard.Core.History;
using Dashboard.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Access;

/// <summary>
/// The API tokens and audit log pages in bUnit, on the app's real token store and audit database: what an admin's
/// circuit shows and does. The audit grid reads one page at a time; its filters, order and page are the URL's.
/// </summary>
public sealed class AdminPageComponentTests : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = AccessTestApp.Create();
    private ComponentContext? _ui;
    private IRenderedComponent<MudDialogProvider>? _dialogs;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_ui is not null) await _ui.DisposeAsync();
        await _app.DisposeAsync();
    }

    private ComponentContext Ui(string role = "admin")
    {
        if (_ui is not null) return _ui;
        var services = _app.Services;
        _ui = new ComponentContext(s => s
            .AddSingleton(services.GetRequiredService<ApiTokenAdmin>())
            .AddSingleton(services.GetRequiredService<AuditLogReader>()), interactive: false);
        // Authorization first: bUnit takes no services once one was read, and the renderer info reads them.
        var auth = _ui.Bunit.AddAuthorization();
        auth.SetAuthorized(role == "admin" ? AccessTestApp.AdminName : AccessTestApp.ViewerName);
        auth.SetRoles(role == "admin" ? ["viewer", "operator", "admin"] : ["viewer"]);
        _ui.Bunit.SetRendererInfo(new RendererInfo("Server", true));
        _ui.Bunit.Render<MudPopoverProvider>();
        _dialogs = _ui.Bunit.Render<MudDialogProvider>();
        return _ui;
    }

    private NavigationManager Navigation => Ui().Bunit.Services.GetRequiredService<NavigationManager>();

    private async Task SeedAsync(IEnumerable<AuditEntry> entries)
    {
        var writer = _app.Services.GetRequiredService<HistoryWriter>();
        foreach (var entry in entries) writer.Enqueue(new AuditWrite(entry));
        Assert.True(await writer.FlushAsync());
    }

    [Fact]
    public void TokensPage_CreateShowsTheSecretOnce_RevokeAsksFirstThenMarksItRevoked()
    {
        var cut = Ui().Bunit.Render<ApiTokensPage>();
        Assert.NotNull(cut.Find("#no-tokens"));

        cut.Find("#token-name").Input("deploy-bot");
        cut.Find("#create-token-button").Click();

        cut.WaitForAssertion(() => Assert.StartsWith(ApiTokenStore.Prefix, cut.Find("[data-token-secret]").TextContent, StringComparison.Ordinal));
        var secret = cut.Find("[data-token-secret]").TextContent;
        var row = cut.Find("#token-list tr[data-token-id]");
        var id = row.GetAttribute("data-token-id")!;
        Assert.Contains("deploy-bot", row.TextContent, StringComparison.Ordinal);
        Assert.Equal("active", row.GetAttribute("data-state"));
        Assert.DoesNotContain(secret, cut.Find("#token-list").OuterHtml, StringComparison.Ordinal);

        // Dismissed, the secret is gone from the page for good.
        cut.FindAll("#new-token button").Single(b => b.Id != "copy-token").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-token-secret]")));

        cut.Find($"#token-list tr[data-token-id='{id}'] [data-action=revoke]").Click();
        var dialogs = _dialogs!;
        dialogs.WaitForAssertion(() => Assert.Contains("Scripts that send it are refused", dialogs.Find("#revoke-question").TextContent, StringComparison.Ordinal));
        Assert.Equal("active", cut.Find($"#token-list tr[data-token-id='{id}']").GetAttribute("data-state"));
        dialogs.Find("#confirm-revoke").Click();

        cut.WaitForAssertion(() => Assert.Equal("revoked", cut.Find($"#token-list tr[data-token-id='{id}']").GetAttribute("data-state")));
        Assert.Contains($"revoked by {AccessTestApp.AdminName}", cut.Find($"#token-list tr[data-token-id='{id}']").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll($"#token-list tr[data-token-id='{id}'] [data-action=revoke]"));
    }

    [Fact]
    public async Task TokensPage_NameWithHiddenCharacters_ShownAsMarks()
    {
        await ApiTokenTests.CreateTokenAsync(_app, "bot\u202Egnp.exe", "viewer");

        var cut = Ui().Bunit.Render<ApiTokensPage>();

        var row = cut.Find("#token-list tr[data-token-id]");
        Assert.NotEmpty(row.QuerySelectorAll("[data-hidden-char]"));
        Assert.DoesNotContain("\u202E", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void TokensPage_ForAViewer_ListsNothingAndCreatesNothing()
    {
        var cut = Ui("viewer").Bunit.Render<ApiTokensPage>();

        cut.Find("#token-name").Input("sneaky-bot");
        cut.Find("#create-token-button").Click();

        cut.WaitForAssertion(() => Assert.Contains("Only an admin", cut.Find("#token-message").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-token-secret]"));
        Assert.NotNull(cut.Find("#no-tokens"));
    }

    [Fact]
    public async Task AuditPage_FiltersFromTheUrl_ShowOnlyMatchingRows_AndTheCsvHasTheSameRows()
    {
        using var admin = await AccessTestApp.SignedInAsync(_app, AccessTestApp.AdminName);
        await AccessTestApp.SignInAsync(AccessTestApp.Client(_app), AccessTestApp.ViewerName, "=cmd|' /C calc'!A0");
        await AccessTestApp.AuditAsync(_app);
        var from = DateTime.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

        Navigation.NavigateTo($"/admin/audit?user={AccessTestApp.ViewerName}&action=sign-in&from={from}");
        var cut = Ui().Bunit.Render<AuditLogPage>();
        var rows = cut.FindAll("#audit-entries tbody tr");
        var csv = await admin.GetAsync(new Uri(cut.Find("#audit-csv").GetAttribute("href")!, UriKind.Relative));
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Single(rows);
        Assert.Equal("sign-in", rows[0].QuerySelector("[data-action]")!.GetAttribute("data-action"));
        Assert.Equal("failed", rows[0].QuerySelector("[data-outcome]")!.GetAttribute("data-outcome"));
        Assert.Equal("1", cut.Find("#audit-entries").GetAttribute("data-total"));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("time_utc,user,address,action,target,outcome", lines[0], StringComparison.Ordinal);
        Assert.Contains($",{AccessTestApp.ViewerName},", lines[1], StringComparison.Ordinal);

        Navigation.NavigateTo("/admin/audit?from=2999-01-01T00:00");
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#audit-none")));
        Assert.Equal("0", cut.Find("#audit-entries").GetAttribute("data-total"));
    }

    [Fact]
    public async Task AuditPage_ReadsOnePageAtATime_PageAndOrderTravelInTheUrl()
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        await SeedAsync(Enumerable.Range(0, 120).Select(i => new AuditEntry(t0.AddSeconds(i), $"user{i:000}", "10.0.0.1", "znode-set", $"/n{i:000}", AuditOutcome.Succeeded)));

        Navigation.NavigateTo("/admin/audit?action=znode-set");
        var cut = Ui().Bunit.Render<AuditLogPage>();

        Assert.Equal(AuditLogPage.PageSize, cut.FindAll("#audit-entries tbody tr").Count);
        Assert.Equal("120", cut.Find("#audit-entries").GetAttribute("data-total"));
        Assert.Contains("/n119", cut.FindAll("#audit-entries [data-field=target]")[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("page 1 of 3", cut.Find("#audit-count").TextContent, StringComparison.Ordinal);

        // The pager navigates: the page number is the URL's, so a reload or a link lands on the same rows.
        cut.FindAll("#audit-pagination button").First(b => b.TextContent.Trim() == "3").Click();
        cut.WaitForAssertion(() => Assert.Contains("page=3", Navigation.Uri, StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Equal(20, cut.FindAll("#audit-entries tbody tr").Count));
        Assert.Contains("action=znode-set", Navigation.Uri, StringComparison.Ordinal);
        Assert.Contains("/n019", cut.FindAll("#audit-entries [data-field=target]")[0].TextContent, StringComparison.Ordinal);

        Navigation.NavigateTo("/admin/audit?action=znode-set&sort=oldest&page=2");
        cut.WaitForAssertion(() => Assert.Contains("/n050", cut.FindAll("#audit-entries [data-field=target]")[0].TextContent, StringComparison.Ordinal));
        Assert.Contains("page 2 of 3", cut.Find("#audit-count").TextContent, StringComparison.Ordinal);

        // A filter typed on the page goes into the URL, back to the first page.
        cut.Find("#user").Change("user007");
        cut.WaitForAssertion(() => Assert.Contains("user=user007", Navigation.Uri, StringComparison.Ordinal));
        Assert.DoesNotContain("page=", Navigation.Uri, StringComparison.Ordinal);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#audit-entries tbody tr")));
    }

    [Fact]
    public async Task AuditPage_HiddenCharactersInNamesAndValues_ShownAsMarks()
    {
        await SeedAsync([new AuditEntry(DateTimeOffset.UtcNow, "mal\u202Eory", "10.0.0.1", "znode-delete", "/a\u200Bb", AuditOutcome.Denied) { Detail = "x\u2066y" }]);

        var cut = Ui().Bunit.Render<AuditLogPage>();

        var row = cut.FindAll("#audit-entries tbody tr").Single(r => r.TextContent.Contains("znode-delete", StringComparison.Ordinal));
        Assert.NotEmpty(row.QuerySelectorAll("[data-field=user] [data-hidden-char]"));
        Assert.NotEmpty(row.QuerySelectorAll("[data-field=target] [data-hidden-char]"));
        Assert.NotEmpty(row.QuerySelectorAll("[data-field=details] [data-hidden-char]"));
        Assert.DoesNotContain("\u202E", row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("\u200B", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditExport_BadFilterOrTooManyRows_SentBackToThePageWhichSaysWhy()
    {
        using var admin = await AccessTestApp.SignedInAsync(_app, AccessTestApp.AdminName);

        var fromPage = await admin.GetAsync(new Uri("/admin/audit.csv?from=yesterday&back=page", UriKind.Relative));
        var fromScript = await admin.GetAsync(new Uri("/admin/audit.csv?from=yesterday", UriKind.Relative));
        var t0 = DateTimeOffset.UtcNow.AddDays(-1);
        await SeedAsync(Enumerable.Range(0, AuditQuery.MaxLimit + 1).Select(i => new AuditEntry(t0.AddMilliseconds(i), "bulk", null, "bulk-write", null, AuditOutcome.Succeeded)));
        var tooMany = await admin.GetAsync(new Uri("/admin/audit.csv?action=bulk-write&back=page", UriKind.Relative));
        var audit = await AccessTestApp.AuditAsync(_app);

        Assert.Equal(HttpStatusCode.Redirect, fromPage.StatusCode);
        Assert.Equal("/admin/audit?from=yesterday&exportError=bad-time", fromPage.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, fromScript.StatusCode);
        Assert.Contains("not a UTC time", await fromScript.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("/admin/audit?action=bulk-write&exportError=too-many", tooMany.Headers.Location?.ToString());
        Assert.Contains(audit, e => e is { Action: "audit-exported", Outcome: AuditOutcome.Failed } && e.Detail!.Contains("10,001 entries match", StringComparison.Ordinal));

        // The page the browser lands on says why, with the count it reads itself.
        Navigation.NavigateTo(tooMany.Headers.Location!.ToString());
        var cut = Ui().Bunit.Render<AuditLogPage>();
        Assert.Equal("too-many", cut.Find("#audit-export-problem").GetAttribute("data-problem"));
        Assert.Contains("10,001 entries match", cut.Find("#audit-export-problem").TextContent, StringComparison.Ordinal);
        Assert.Contains("narrow the time range", cut.Find("#audit-export-problem").TextContent, StringComparison.Ordinal);
        Assert.NotNull(cut.Find("#audit-export-limit"));
        Assert.Equal(AuditLogPage.PageSize, cut.FindAll("#audit-entries tbody tr").Count);

        Navigation.NavigateTo("/admin/audit?from=yesterday&exportError=bad-time");
        cut.WaitForAssertion(() => Assert.Equal("bad-time", cut.Find("#audit-export-problem").GetAttribute("data-problem")));
        Assert.NotNull(cut.Find("#audit-filter-problem"));
    }
}
