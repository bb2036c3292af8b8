using System.Net;
using AngleSharp.Html.Parser;
using Dashboard.Core.Access;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Access;

public sealed class SignInTests
{
    private static readonly HtmlParser Parser = new();

    [Fact]
    public async Task SignIn_RightPassword_SetsProtectedCookieAndShowsUserAndRole()
    {
        await using var app = AccessTestApp.Create();
        using var client = AccessTestApp.Client(app);

        var response = await AccessTestApp.SignInAsync(client, AccessTestApp.OperatorName, AccessTestApp.OperatorPassword, returnUrl: "/");
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".zkd.session=", StringComparison.Ordinal));
        var page = await Parser.ParseDocumentAsync(await client.GetStringAsync(new Uri("/", UriKind.Relative)));

        Assert.Equal("/", response.Headers.Location?.ToString());
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(AccessTestApp.OperatorName, page.QuerySelector("[data-user-name]")?.TextContent);
        Assert.Equal("operator", page.QuerySelector("[data-user-role]")?.TextContent);
        // An operator is not shown admin sections.
        Assert.DoesNotContain(page.QuerySelectorAll("#app-navigation a"), a => a.GetAttribute("href")!.StartsWith("/admin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_WrongPassword_RedirectsBackWithOneMessageForAnyMistake()
    {
        await using var app = AccessTestApp.Create();
        using var client = AccessTestApp.Client(app);

        var wrongPassword = await AccessTestApp.SignInAsync(client, AccessTestApp.AdminName, "not-the-password");
        var unknownName = await AccessTestApp.SignInAsync(client, "nobody", "not-the-password");

        Assert.Equal("/sign-in?error=failed", wrongPassword.Headers.Location?.ToString());
        Assert.Equal("/sign-in?error=failed", unknownName.Headers.Location?.ToString());
        Assert.False(wrongPassword.Headers.Contains("Set-Cookie") && wrongPassword.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(".zkd.session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SignIn_RepeatedFailures_LocksNameOutEvenForRightPassword()
    {
        await using var app = AccessTestApp.Create(new() { ["Auth:LockoutFailures"] = "3" });
        using var client = AccessTestApp.Client(app);

        for (var i = 0; i < 3; i++) await AccessTestApp.SignInAsync(client, AccessTestApp.AdminName, "guess-" + i);
        var right = await AccessTestApp.SignInAsync(client, AccessTestApp.AdminName, AccessTestApp.AdminPassword);
        var other = await AccessTestApp.SignInAsync(client, AccessTestApp.ViewerName, AccessTestApp.ViewerPassword);

        Assert.Equal("/sign-in?error=locked", right.Headers.Location?.ToString());
        Assert.Equal("/", other.Headers.Location?.ToString());
        var audit = await AccessTestApp.AuditAsync(app);
        Assert.Equal(3, audit.Count(e => e.Action == AuditActions.SignIn && e.User == AccessTestApp.AdminName && e.Outcome == AuditOutcome.Failed));
        Assert.Contains(audit, e => e.Action == AuditActions.SignIn && e.User == AccessTestApp.AdminName && e.Outcome == AuditOutcome.Denied);
    }

    [Fact]
    public async Task SignIn_TooManyAttemptsFromOneAddress_Answers429()
    {
        await using var app = AccessTestApp.Create(new() { ["Auth:SignInAttemptsPerMinute"] = "2" });
        using var client = AccessTestApp.Client(app);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) statuses.Add((await AccessTestApp.SignInAsync(client, "nobody", "x-" + i)).StatusCode);

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], statuses);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task SignIn_ReturnUrlOffSite_GoesHomeInstead(string returnUrl)
    {
        await using var app = AccessTestApp.Create();
        using var client = AccessTestApp.Client(app);

        var response = await AccessTestApp.SignInAsync(client, AccessTestApp.ViewerName, AccessTestApp.ViewerPassword, returnUrl);

        Assert.Equal("/", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task SignOut_EndsSession()
    {
        await using var app = AccessTestApp.Create();
        using var client = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/");

        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        var signOut = await client.PostAsync(new Uri("/auth/sign-out", UriKind.Relative), form);
        var after = await client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/sign-in", after.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymousRead_OffByDefault_PageRedirectsToSignInAndApiAnswers401()
    {
        await using var app = AccessTestApp.Create();
        using var client = AccessTestApp.Client(app);

        var page = await client.GetAsync(new Uri("/", UriKind.Relative));
        var api = await client.GetAsync(new Uri("/api/me", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/sign-in?returnUrl=%2F", page.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task AnonymousRead_On_ReadsButCannotWrite()
    {
        await using var app = AccessTestApp.Create(new() { ["Auth:AnonymousRead"] = "true" });
        using var client = AccessTestApp.Client(app);
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/");

        var read = await client.GetAsync(new Uri("/", UriKind.Relative));
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        var write = await client.PostAsync(new Uri("/", UriKind.Relative), form);
        var admin = await client.GetAsync(new Uri("/admin/audit", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
    }

    [Fact]
    public async Task NoUsersConfigured_ReadOnlyForEveryoneAndSaysHowToAddAnAdmin()
    {
        await using var app = new DashboardAppFactory();
        using var client = AccessTestApp.Client(app);

        var home = await Parser.ParseDocumentAsync(await client.GetStringAsync(new Uri("/", UriKind.Relative)));
        var signIn = await Parser.ParseDocumentAsync(await client.GetStringAsync(new Uri("/sign-in", UriKind.Relative)));

        Assert.NotNull(home.QuerySelector("[data-read-only]"));
        Assert.Null(signIn.QuerySelector("#sign-in-form"));
        Assert.Contains("hash-password", signIn.QuerySelector("#no-users")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("Auth:Users:0:PasswordHash", signIn.QuerySelector("#no-users")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ViewerOpeningAdminPage_Gets403PageAndNoAdminLinks()
    {
        await using var app = AccessTestApp.Create();
        using var client = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);

        var response = await client.GetAsync(new Uri("/admin/tokens", UriKind.Relative));
        var page = await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Not allowed", page.QuerySelector("h1")?.TextContent);
        var links = page.QuerySelectorAll("#app-navigation a").Select(a => a.GetAttribute("href") ?? "").ToList();
        Assert.Contains("/", links);
        Assert.DoesNotContain(links, href => href.StartsWith("/admin", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(AccessTestApp.ViewerName)]
    [InlineData(AccessTestApp.OperatorName)]
    [InlineData(AccessTestApp.AdminName)]
    public async Task EveryNavigationLinkShownToRole_Answers200ForThatRole(string name)
    {
        await using var app = AccessTestApp.Create();
        using var client = await AccessTestApp.SignedInAsync(app, name);
        var home = await Parser.ParseDocumentAsync(await client.GetStringAsync(new Uri("/", UriKind.Relative)));

        var links = home.QuerySelectorAll("#app-navigation a").Select(a => a.GetAttribute("href")!).ToList();
        Assert.Contains("/", links);
        Assert.Equal(name == AccessTestApp.AdminName, links.Contains("/admin/audit"));
        foreach (var link in links)
        {
            var response = await client.GetAsync(new Uri(link, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {link} answered {(int)response.StatusCode}");
        }
    }
}
