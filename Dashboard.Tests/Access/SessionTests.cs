using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Access;

/// <summary>
/// Sessions known to the server, attacked as a thief with a copied cookie would: after sign-out, a revocation, or
/// the user's removal or demotion in the settings, the copy is refused; cookies survive a restart of the same
/// installation and are refused by another one.
/// </summary>
public sealed class SessionTests
{
    private static readonly HtmlParser Parser = new();

    [Fact]
    public async Task SignOut_CopyOfTheCookieIsRefusedAfterwards()
    {
        await using var app = AccessTestApp.Create();
        using var browser = AccessTestApp.Client(app);
        var cookie = await SessionCookieAsync(browser, AccessTestApp.OperatorName);
        using var thief = CookieClient(app);
        Assert.Equal(AccessTestApp.OperatorName, await WhoAsync(thief, cookie));

        var token = await AccessTestApp.AntiforgeryTokenAsync(browser, "/");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        var signOut = await browser.PostAsync(new Uri("/auth/sign-out", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Null(await WhoAsync(thief, cookie));
        Assert.Contains(await AccessTestApp.AuditAsync(app), e => e.Action == AuditActions.SignOut && e.User == AccessTestApp.OperatorName);
    }

    [Fact]
    public async Task AdminRevokesOneSession_ThatCookieRefused_TheUsersOtherSessionStillWorks_ThenRevokeAllEndsIt()
    {
        await using var app = AccessTestApp.Create();
        using var laptop = AccessTestApp.Client(app);
        using var phone = AccessTestApp.Client(app);
        var laptopCookie = await SessionCookieAsync(laptop, AccessTestApp.OperatorName);
        var phoneCookie = await SessionCookieAsync(phone, AccessTestApp.OperatorName);
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        using var thief = CookieClient(app);

        var page = await Parser.ParseDocumentAsync(await admin.GetStringAsync(new Uri("/admin/sessions", UriKind.Relative)));
        var rows = page.QuerySelectorAll("#session-list tr[data-user]").Where(r => r.GetAttribute("data-user") == AccessTestApp.OperatorName).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Single(page.QuerySelectorAll("#session-list tr[data-user]"), r => r.GetAttribute("data-user") == AccessTestApp.AdminName);

        // Revoke the newest operator session (listed first: most recently used) — the phone's — as the page's circuit does.
        var sessions = app.Services.GetRequiredService<SessionAdmin>();
        var alice = DashboardPrincipal.Create(AccessTestApp.AdminName, DashboardRole.Admin, "password", "Cookies");
        var listed = (await sessions.ListAsync(alice)).Where(x => x.User == AccessTestApp.OperatorName).ToList();
        Assert.Equal(rows.Select(r => r.GetAttribute("data-session")), listed.Select(x => SessionValidation.Short(x.Id)));
        Assert.True(await sessions.RevokeAsync(alice, "circuit", listed[0].Id));
        Assert.False(await sessions.RevokeAsync(alice, "circuit", listed[0].Id));

        var stillWorking = new[] { await WhoAsync(thief, laptopCookie), await WhoAsync(thief, phoneCookie) };
        Assert.Single(stillWorking, w => w == AccessTestApp.OperatorName);
        Assert.Single(stillWorking, w => w is null);

        page = await Parser.ParseDocumentAsync(await admin.GetStringAsync(new Uri("/admin/sessions", UriKind.Relative)));
        Assert.Single(page.QuerySelectorAll("#session-list tr[data-user]"), r => r.GetAttribute("data-user") == AccessTestApp.OperatorName);
        Assert.Equal(1, await sessions.RevokeAllAsync(alice, "circuit", AccessTestApp.OperatorName));
        Assert.Null(await WhoAsync(thief, laptopCookie));
        Assert.Null(await WhoAsync(thief, phoneCookie));
        Assert.Equal(AccessTestApp.AdminName, await WhoAsync(admin, null));

        var audit = await AccessTestApp.AuditAsync(app);
        Assert.Equal(2, audit.Count(e => e.Action == AuditActions.SessionEnded && e.User == AccessTestApp.AdminName && e.Outcome == AuditOutcome.Succeeded));
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("operator")]
    public async Task SessionAdmin_NonAdmin_ListRevokeAndRevokeAllRefused_AndAudited(string role)
    {
        await using var app = AccessTestApp.Create();
        using var laptop = AccessTestApp.Client(app);
        await SessionCookieAsync(laptop, AccessTestApp.OperatorName);
        var sessions = app.Services.GetRequiredService<SessionAdmin>();
        var alice = DashboardPrincipal.Create(AccessTestApp.AdminName, DashboardRole.Admin, "password", "Cookies");
        var id = Assert.Single(await sessions.ListAsync(alice)).Id;
        var user = DashboardPrincipal.Create("mallory", role == "viewer" ? DashboardRole.Viewer : DashboardRole.Operator, "password", "Cookies");

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => sessions.ListAsync(user));
        Assert.False(await sessions.RevokeAsync(user, "circuit", id));
        Assert.Equal(0, await sessions.RevokeAllAsync(user, "circuit", AccessTestApp.OperatorName));

        Assert.Single(await sessions.ListAsync(alice));
        var audit = await AccessTestApp.AuditAsync(app);
        Assert.Contains(audit, e => e is { Action: "session-revoke", User: "mallory", Outcome: AuditOutcome.Denied });
        Assert.Contains(audit, e => e is { Action: "session-revoke-all", User: "mallory", Outcome: AuditOutcome.Denied });
    }

    [Fact]
    public async Task SessionsPage_NonAdmin_Forbidden()
    {
        await using var app = AccessTestApp.Create();
        using var op = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);
        var response = await op.GetAsync(new Uri("/admin/sessions", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Restart_SameInstallationKeepsTheSession_AnotherInstallationRefusesTheCookie()
    {
        string cookie;
        var folder = Directory.CreateTempSubdirectory("dashboard-installation-").FullName;
        var database = Path.Combine(folder, "history.db");
        try
        {
            await using (var first = AccessTestApp.Create(new() { ["History:DatabasePath"] = database }))
            {
                using var browser = AccessTestApp.Client(first);
                cookie = await SessionCookieAsync(browser, AccessTestApp.AdminName);
            }
            Assert.True(Directory.EnumerateFiles(Path.Combine(folder, "keys"), "key-*.xml").Any(), "the data-protection keys are not next to the database");
            Assert.True(File.Exists(Path.Combine(folder, "installation-id")));

            await using (var restarted = AccessTestApp.Create(new() { ["History:DatabasePath"] = database }))
            {
                using var client = CookieClient(restarted);
                Assert.Equal(AccessTestApp.AdminName, await WhoAsync(client, cookie));
            }

            await using var other = AccessTestApp.Create();
            using var stranger = CookieClient(other);
            Assert.Null(await WhoAsync(stranger, cookie));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task SettingsFileEdited_RemovedAndDemotedUsersLoseTheirSessionsAtOnce()
    {
        await using var dashboard = await DashboardProcess.StartAsync(Settings(
            (AccessTestApp.AdminName, AccessTestApp.AdminHash, "admin"), (AccessTestApp.OperatorName, AccessTestApp.OperatorHash, "operator"), (AccessTestApp.ViewerName, AccessTestApp.ViewerHash, "viewer")));
        using var oscar = dashboard.Client();
        using var vera = dashboard.Client();
        using var alice = dashboard.Client();
        await SessionCookieAsync(oscar, AccessTestApp.OperatorName);
        await SessionCookieAsync(vera, AccessTestApp.ViewerName);
        await SessionCookieAsync(alice, AccessTestApp.AdminName);
        Assert.Equal("operator", await RoleAsync(oscar));

        // oscar demoted to viewer, vera removed; alice untouched.
        await File.WriteAllTextAsync(dashboard.SettingsFile, Settings(
            (AccessTestApp.AdminName, AccessTestApp.AdminHash, "admin"), (AccessTestApp.OperatorName, AccessTestApp.OperatorHash, "viewer")));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await RoleAsync(oscar) is not null || await RoleAsync(vera) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the edited settings did not end the sessions:\n{dashboard.Output}");
            await Task.Delay(500);
        }
        Assert.Equal("admin", await RoleAsync(alice));
        // Signing in again gives oscar the role the settings give now; vera cannot sign in at all.
        var again = await AccessTestApp.SignInAsync(oscar, AccessTestApp.OperatorName, AccessTestApp.OperatorPassword);
        Assert.DoesNotContain("error=", again.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
        Assert.Equal("viewer", await RoleAsync(oscar));
        var refused = await AccessTestApp.SignInAsync(vera, AccessTestApp.ViewerName, AccessTestApp.ViewerPassword);
        Assert.Contains("error=failed", refused.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
    }

    private static string Settings(params (string Name, string Hash, string Role)[] users) => JsonSerializer.Serialize(new
    {
        Auth = new { Users = users.Select(u => new { u.Name, PasswordHash = u.Hash, u.Role }) },
    });

    /// <summary>Signs in and returns the session cookie exactly as the server set it (name=value), to copy elsewhere.</summary>
    internal static async Task<string> SessionCookieAsync(HttpClient client, string name)
    {
        var response = await AccessTestApp.SignInAsync(client, name, AccessTestApp.PasswordOf(name));
        Assert.DoesNotContain("error=", response.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
        var set = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".zkd.session=", StringComparison.Ordinal));
        return set.Split(';')[0];
    }

    /// <summary>A client that keeps no cookies of its own: each request carries exactly the cookie given.</summary>
    private static HttpClient CookieClient(DashboardAppFactory app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    /// <summary>Who the server takes this client (or this copied cookie) for; null when it refuses.</summary>
    private static async Task<string?> WhoAsync(HttpClient client, string? cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/me", UriKind.Relative));
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Unauthorized) return null;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var name = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString();
        return name == "anonymous" ? null : name;
    }

    private static async Task<string?> RoleAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.Unauthorized) return null;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("role").GetString();
    }
}
