using System.Net;

namespace Dashboard.Tests.Access;

/// <summary>Behind a trusted proxy: the rate limit keys on the forwarded client, cookies are Secure for HTTPS clients, and strangers cannot forge either.</summary>
public sealed class ForwardedClientTests
{
    private const string Proxy = "10.1.2.3";

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Auth:Proxy:TrustedAddresses:0"] = "10.1.2.0/24",
        ["Auth:SignInAttemptsPerMinute"] = "3",
    };

    /// <summary>A sign-in attempt (a wrong password unless <paramref name="password"/> is given: the client stays anonymous, so its token stays valid).</summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string token, string remote, Dictionary<string, string> headers, string password = "wrong password")
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["name"] = AccessTestApp.ViewerName, ["password"] = password,
        });
        using var request = AccessTestApp.Request(HttpMethod.Post, "/auth/sign-in", remote, headers, form);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task RateLimit_BehindTrustedProxy_KeysOnTheForwardedClient()
    {
        await using var app = AccessTestApp.Create(Settings());
        using var client = AccessTestApp.Client(app);
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/sign-in");

        var first = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            first.Add((await SignInAsync(client, token, Proxy, new() { ["X-Forwarded-For"] = "203.0.113.5" })).StatusCode);
        var other = await SignInAsync(client, token, Proxy, new() { ["X-Forwarded-For"] = "203.0.113.6" });
        // A client that puts a fake address first is still keyed on the address the proxy saw.
        var spoofed = await SignInAsync(client, token, Proxy, new() { ["X-Forwarded-For"] = "198.51.100.1, 203.0.113.5" });

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests], first);
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, spoofed.StatusCode);
        var audit = await AccessTestApp.AuditAsync(app);
        Assert.Contains(audit, e => e.Action == "sign-in" && e.Address == $"203.0.113.6 via {Proxy}");
    }

    [Fact]
    public async Task ForwardedHeaders_FromAStranger_Ignored()
    {
        await using var app = AccessTestApp.Create(Settings());
        using var client = AccessTestApp.Client(app);
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/sign-in");

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            answers.Add((await SignInAsync(client, token, "192.0.2.9", new() { ["X-Forwarded-For"] = $"203.0.113.{i}", ["X-Forwarded-Proto"] = "https" })).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
        var audit = await AccessTestApp.AuditAsync(app);
        Assert.All(audit.Where(e => e.Action == "sign-in"), e => Assert.Equal("192.0.2.9", e.Address));
    }

    [Theory]
    [InlineData("https", true)]
    [InlineData("http", false)]
    public async Task SessionCookie_ClientUsedHttpsThroughTheProxy_IsSecure(string proto, bool secure)
    {
        await using var app = AccessTestApp.Create(Settings());
        using var client = AccessTestApp.Client(app);
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/sign-in");

        var response = await SignInAsync(client, token, Proxy, new() { ["X-Forwarded-For"] = "203.0.113.5", ["X-Forwarded-Proto"] = proto }, AccessTestApp.ViewerPassword);

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".zkd.session=", StringComparison.Ordinal));
        Assert.Equal(secure, cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }
}
