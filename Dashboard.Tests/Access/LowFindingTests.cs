using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dashboard.Core.Access;
using Dashboard.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Access;

/// <summary>The low findings of the second hardening round, each attacked against a running instance.</summary>
public sealed class LowFindingTests
{
    private const char RecordSeparator = '\u001e';

    [Theory]
    [InlineData("/\t/evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("/ok\u0001")]
    [InlineData("https://evil.example/")]
    [InlineData("/%09/evil.example")]
    public async Task ReturnUrl_NotALocalPath_SignInGoesHome(string returnUrl)
    {
        await using var app = AccessTestApp.Create();
        using var client = AccessTestApp.Client(app);
        var response = await AccessTestApp.SignInAsync(client, AccessTestApp.ViewerName, AccessTestApp.ViewerPassword, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.True(location == "/" || (returnUrl == "/%09/evil.example" && location == returnUrl), $"redirected to {location}");
        // The form itself with such a returnUrl is a page, not a 500.
        var form = await AccessTestApp.Client(app).GetAsync(new Uri("/sign-in?returnUrl=" + Uri.EscapeDataString(returnUrl), UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
    }

    [Fact]
    public async Task MaintenanceApi_Viewer_ForbiddenToReadPlansAndRuns()
    {
        await using var app = AccessTestApp.Create(new() { ["Dashboard:Clusters:0:Name"] = "Local", ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:1" });
        using var viewer = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);
        using var op = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);
        foreach (var path in new[] { "/api/clusters/local/maintenance/plan?operation=rolling-restart", "/api/clusters/local/maintenance/runs", "/api/clusters/local/maintenance/runs/x" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, (await op.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        }
    }

    [Fact]
    public async Task LongPolling_CircuitConnectionTokenOfAnotherUser_Refused()
    {
        await using var app = AccessTestApp.Create();
        using var vera = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);
        using var oscar = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);
        var negotiate = await vera.PostAsync(new Uri("/_blazor/negotiate?negotiateVersion=1", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        var token = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync()).RootElement.GetProperty("connectionToken").GetString()!;

        var stolen = await oscar.GetAsync(new Uri($"/_blazor?id={Uri.EscapeDataString(token)}", UriKind.Relative));
        using var send = new StringContent("{\"protocol\":\"json\",\"version\":1}" + RecordSeparator, Encoding.UTF8, "text/plain");
        var stolenSend = await oscar.PostAsync(new Uri($"/_blazor?id={Uri.EscapeDataString(token)}", UriKind.Relative), send);

        Assert.Equal(HttpStatusCode.Forbidden, stolen.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, stolenSend.StatusCode);
    }

    [Fact]
    public async Task AllowedHosts_ForeignHost_Refused()
    {
        await using var app = AccessTestApp.Create(new() { ["AllowedHosts"] = "dashboard.example" });
        using var client = AccessTestApp.Client(app);
        using var foreign = AccessTestApp.Request(HttpMethod.Get, "/sign-in");
        foreign.Headers.Host = "evil.example";
        using var own = AccessTestApp.Request(HttpMethod.Get, "/sign-in");
        own.Headers.Host = "dashboard.example";

        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(foreign)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(own)).StatusCode);
    }

    [Fact]
    public async Task SignInRedirect_ForeignHostHeader_NotEchoed()
    {
        await using var app = AccessTestApp.Create();
        using var client = AccessTestApp.Client(app);
        using var request = AccessTestApp.Request(HttpMethod.Get, "/ensemble");
        request.Headers.Host = "evil.example";
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/sign-in?returnUrl=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CacheControl_ApiDownloadsAndAuditCsv_NoStore()
    {
        await using var app = AccessTestApp.Create();
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        foreach (var path in new[] { "/api/me", "/admin/audit.csv", "/admin/audit", "/metrics" })
        {
            var response = await admin.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{path} may be stored: {response.Headers.CacheControl}");
        }
    }

    [Theory]
    [InlineData("https://localhost", HttpStatusCode.BadRequest)]
    [InlineData("http://localhost", HttpStatusCode.Redirect)]
    public async Task OriginCheck_SameHostOtherScheme_Refused(string origin, HttpStatusCode expected)
    {
        await using var app = AccessTestApp.Create();
        using var client = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/");
        using var request = AccessTestApp.Request(HttpMethod.Post, "/auth/sign-out", headers: new() { ["Origin"] = origin },
            content: new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(expected, (await client.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData(false, "token", HttpStatusCode.OK)]
    [InlineData(false, null, HttpStatusCode.Unauthorized)]
    [InlineData(true, null, HttpStatusCode.OK)]
    public async Task Metrics_ReadableWithApiToken_AnonymousOnlyWithAnonymousRead(bool anonymousRead, string? auth, HttpStatusCode expected)
    {
        await using var app = AccessTestApp.Create(new() { ["Auth:AnonymousRead"] = anonymousRead ? "true" : "false" });
        using var client = AccessTestApp.Client(app);
        using var request = AccessTestApp.Request(HttpMethod.Get, "/metrics");
        if (auth is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await app.Services.GetRequiredService<ApiTokenStore>().CreateAsync("prometheus", DashboardRole.Viewer, "test")).Secret);
        Assert.Equal(expected, (await client.SendAsync(request)).StatusCode);
    }
}
