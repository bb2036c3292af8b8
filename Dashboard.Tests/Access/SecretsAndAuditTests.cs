using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Html.Parser;
using Dashboard.Core.Access;

namespace Dashboard.Tests.Access;

/// <summary>Secrets stay out of every answer; everything the tests do leaves an audit entry.</summary>
public sealed class SecretsAndAuditTests
{
    private const string ZooKeeperDigest = "zk-digest-user:zk-digest-password-42";
    private static readonly HtmlParser Parser = new();

    [Fact]
    public async Task Secrets_NeverAppearInAnyPageOrApiAnswer()
    {
        await using var app = AccessTestApp.Create(new()
        {
            ["Dashboard:Clusters:0:Name"] = "Payments",
            ["Dashboard:Clusters:0:ConnectString"] = "zk1:2181",
            // Digest credentials as the ZooKeeper client will read them: they must never be echoed.
            ["Dashboard:Clusters:0:Digest"] = ZooKeeperDigest,
        });
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        var (_, tokenSecret) = await ApiTokenTests.CreateTokenAsync(app, "scan-bot", "admin");
        await AccessTestApp.SignInAsync(AccessTestApp.Client(app), AccessTestApp.ViewerName, "typed-wrong-" + AccessTestApp.ViewerPassword);
        string[] secrets =
        [
            AccessTestApp.AdminPassword, AccessTestApp.OperatorPassword, AccessTestApp.ViewerPassword,
            AccessTestApp.AdminHash, AccessTestApp.OperatorHash, AccessTestApp.ViewerHash,
            tokenSecret, ApiTokenStore.Hash(tokenSecret), ZooKeeperDigest, "zk-digest-password-42",
        ];

        var home = await Parser.ParseDocumentAsync(await admin.GetStringAsync(new Uri("/", UriKind.Relative)));
        var paths = home.QuerySelectorAll("#app-navigation a").Select(a => a.GetAttribute("href")!)
            .Concat(["/", "/sign-in", "/sign-in?error=failed", "/admin/audit.csv", "/api/me", "/not-found", "/no/such/page"]).Distinct().ToList();
        Assert.Contains("/admin/audit", paths);
        Assert.Contains("/admin/tokens", paths);

        using var script = AccessTestApp.Client(app);
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokenSecret);
        foreach (var (client, path) in paths.Select(p => (admin, p)).Append((script, "/api/me")).Append((AccessTestApp.Client(app), "/sign-in")))
        {
            var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            var answer = response.Headers + "\n" + response.Content.Headers + "\n" + await response.Content.ReadAsStringAsync();
            foreach (var secret in secrets)
                Assert.False(answer.Contains(secret, StringComparison.Ordinal), $"{path} answered with a secret ({secret[..6]}...)");
        }
    }

    [Fact]
    public async Task AuditLog_HasEntryForEveryActionTheTestPerforms()
    {
        await using var app = AccessTestApp.Create();
        using var anonymous = AccessTestApp.Client(app);
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);                  // sign-in succeeded
        await AccessTestApp.SignInAsync(anonymous, AccessTestApp.OperatorName, "wrong-password");          // sign-in failed
        await anonymous.PostAsync(new Uri("/", UriKind.Relative), null);                                    // access denied (401)
        using var viewer = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);
        await viewer.GetAsync(new Uri("/admin/tokens", UriKind.Relative));                                  // access denied (403)
        await admin.PostAsync(new Uri("/admin/tokens", UriKind.Relative), new StringContent(""));           // antiforgery rejected
        var (id, _) = await ApiTokenTests.CreateTokenAsync(app, "audit-bot", "viewer");                     // token created (as the page's circuit does)
        await ApiTokenTests.RevokeTokenAsync(app, id);                                                      // token revoked
        await admin.GetAsync(new Uri("/admin/audit.csv", UriKind.Relative));                                // audit exported
        var signOutToken = await AccessTestApp.AntiforgeryTokenAsync(viewer, "/");
        using var signOutForm = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = signOutToken });
        await viewer.PostAsync(new Uri("/auth/sign-out", UriKind.Relative), signOutForm);                  // sign-out

        var audit = await AccessTestApp.AuditAsync(app);

        Assert.Contains(audit, e => e is { Action: AuditActions.SignIn, User: AccessTestApp.AdminName, Outcome: AuditOutcome.Succeeded });
        Assert.Contains(audit, e => e is { Action: AuditActions.SignIn, User: AccessTestApp.OperatorName, Outcome: AuditOutcome.Failed });
        Assert.Contains(audit, e => e is { Action: AuditActions.AccessDenied, User: "anonymous", Target: "POST /", Detail: "not signed in" });
        Assert.Contains(audit, e => e is { Action: AuditActions.AccessDenied, User: AccessTestApp.ViewerName, Target: "GET /admin/tokens" });
        Assert.Contains(audit, e => e is { Action: AuditActions.AntiforgeryRejected, User: AccessTestApp.AdminName });
        Assert.Contains(audit, e => e.Action == AuditActions.TokenCreated && e.Target == $"token {id}" && e.After!.Contains("audit-bot", StringComparison.Ordinal));
        Assert.Contains(audit, e => e is { Action: AuditActions.TokenRevoked, Outcome: AuditOutcome.Succeeded, After: "revoked" } && e.Target == $"token {id}");
        Assert.Contains(audit, e => e is { Action: "audit-exported", User: AccessTestApp.AdminName });
        Assert.Contains(audit, e => e is { Action: AuditActions.SignOut, User: AccessTestApp.ViewerName });
        Assert.All(audit, e => Assert.False(string.IsNullOrEmpty(e.User)));
    }

    // The audit page's filters and its CSV export: AdminPageComponentTests.AuditPage_FiltersFromTheUrl_*.

    [Theory]
    [InlineData("/")]
    [InlineData("/sign-in")]
    [InlineData("/dist/ui.js")]
    [InlineData("/no/such/page")]
    [InlineData("/api/me")]
    public async Task EveryAnswer_CarriesSecurityHeaders(string path)
    {
        await using var app = AccessTestApp.Create();
        using var client = AccessTestApp.Client(app);

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        string Header(string name) => string.Join(",", response.Headers.TryGetValues(name, out var v) ? v : []);

        var csp = Header("Content-Security-Policy");
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToDictionary(d => d.Split(' ')[0], d => d);
        // Script stays strict; only style may be inline (MudBlazor's theme element, Blazor's virtualization spacers).
        Assert.Equal("script-src 'self'", directives["script-src"]);
        Assert.Equal("style-src 'self' 'unsafe-inline'", directives["style-src"]);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("default-src 'self'", directives["default-src"]);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Header("X-Frame-Options"));
        Assert.Equal("nosniff", Header("X-Content-Type-Options"));
        Assert.Equal("same-origin", Header("Referrer-Policy"));
    }

    [Fact]
    public async Task Pages_HaveNoInlineScript()
    {
        await using var app = AccessTestApp.Create(new() { ["Dashboard:Clusters:0:Name"] = "A", ["Dashboard:Clusters:0:ConnectString"] = "zk1:2181" });
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        foreach (var path in new[] { "/", "/sign-in", "/admin/audit", "/admin/tokens" })
        {
            var page = await Parser.ParseDocumentAsync(await admin.GetStringAsync(new Uri(path, UriKind.Relative)));
            Assert.All(page.QuerySelectorAll("script"), s => Assert.False(string.IsNullOrEmpty(s.GetAttribute("src")), $"{path} has an inline script"));
            Assert.Empty(page.QuerySelectorAll("script[type=importmap]"));
        }
    }

    internal static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        var rest = text[from..].TrimStart();
        return rest[..rest.IndexOf(end, StringComparison.Ordinal)].Trim();
    }

    internal static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
