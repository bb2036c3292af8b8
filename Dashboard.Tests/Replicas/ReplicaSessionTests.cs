using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Tests.Access;
using Dashboard.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Replicas;

/// <summary>
/// Two replicas (hosts of the real app) on one PostgreSQL history, used as a thief with a copied cookie would: a
/// session ended on one replica (sign-out, an admin's revocation of one session or of all a user's) is refused by
/// the other at its very next request, though that replica had just honoured it; so is a revoked API token.
/// </summary>
public sealed class ReplicaSessionTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task SessionEndedOnOneReplica_CookieRefusedByTheOtherAtOnce()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using var a = Replica(connectionString, "a");
        await using var b = Replica(connectionString, "b");
        using var thief = CookieClient(b);

        // Sign-out on A: the cookie B honoured a moment ago is refused at B's next request.
        using (var browser = AccessTestApp.Client(a))
        {
            var cookie = await SessionTests.SessionCookieAsync(browser, AccessTestApp.OperatorName);
            Assert.Equal(AccessTestApp.OperatorName, await WhoAsync(thief, cookie));
            var token = await AccessTestApp.AntiforgeryTokenAsync(browser, "/");
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync(new Uri("/auth/sign-out", UriKind.Relative), form)).StatusCode);
            Assert.Null(await WhoAsync(thief, cookie));
        }

        // An admin on A revokes a session made on B, then all of the user's: B refuses each at once.
        using var laptop = AccessTestApp.Client(b);
        using var phone = AccessTestApp.Client(b);
        var laptopCookie = await SessionTests.SessionCookieAsync(laptop, AccessTestApp.OperatorName);
        var phoneCookie = await SessionTests.SessionCookieAsync(phone, AccessTestApp.OperatorName);
        Assert.Equal(AccessTestApp.OperatorName, await WhoAsync(thief, laptopCookie));
        Assert.Equal(AccessTestApp.OperatorName, await WhoAsync(thief, phoneCookie));
        var sessions = a.Services.GetRequiredService<SessionAdmin>();
        var alice = DashboardPrincipal.Create(AccessTestApp.AdminName, DashboardRole.Admin, "password", "Cookies");
        var listed = (await sessions.ListAsync(alice)).Where(s => s.User == AccessTestApp.OperatorName).ToList();
        Assert.Equal(2, listed.Count); // A lists B's sessions from the database
        Assert.True(await sessions.RevokeAsync(alice, "test", listed[0].Id));
        var afterOne = new[] { await WhoAsync(thief, laptopCookie), await WhoAsync(thief, phoneCookie) };
        Assert.Single(afterOne, w => w is null);
        Assert.Single(afterOne, w => w == AccessTestApp.OperatorName);
        Assert.Equal(1, await sessions.RevokeAllAsync(alice, "test", AccessTestApp.OperatorName));
        Assert.Null(await WhoAsync(thief, laptopCookie));
        Assert.Null(await WhoAsync(thief, phoneCookie));

        // An API token made on A works on B until A revokes it; then B refuses it at once.
        var tokens = a.Services.GetRequiredService<ApiTokenStore>();
        var issued = await tokens.CreateAsync("automation", DashboardRole.Viewer, AccessTestApp.AdminName);
        Assert.True(issued.Saved);
        Assert.Equal(HttpStatusCode.OK, await BearerAsync(b, issued.Secret));
        Assert.NotNull(await tokens.RevokeAsync(issued.Token.Id, AccessTestApp.AdminName));
        Assert.Equal(HttpStatusCode.Unauthorized, await BearerAsync(b, issued.Secret));
    }

    private static DashboardAppFactory Replica(string connectionString, string name) => AccessTestApp.Create(new()
    {
        ["History:Provider"] = "postgres",
        ["History:ConnectionString"] = connectionString,
        ["Replicas:Name"] = name,
    });

    private static HttpClient CookieClient(DashboardAppFactory app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static async Task<string?> WhoAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/me", UriKind.Relative));
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Unauthorized) return null;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var name = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString();
        return name == "anonymous" ? null : name;
    }

    private static async Task<HttpStatusCode> BearerAsync(DashboardAppFactory app, string secret)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/clusters", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
