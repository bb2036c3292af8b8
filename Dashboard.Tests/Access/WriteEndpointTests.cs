using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Dashboard.Access;
using Dashboard.Core.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Access;

/// <summary>
/// Every endpoint that accepts a state-changing method, found in the app's own routing table (so endpoints other
/// features add later are covered without touching these tests), refuses people who may not change anything.
/// </summary>
public sealed partial class WriteEndpointTests
{
    [Fact]
    public async Task EveryWriteEndpoint_Anonymous_Refused401()
    {
        await using var app = AccessTestApp.Create();
        using var client = AccessTestApp.Client(app);
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/sign-in");

        var endpoints = WriteEndpoints(app.Services);
        Assert.NotEmpty(endpoints);
        foreach (var (method, path) in endpoints)
        {
            var response = await SendWithTokenAsync(client, method, path, token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"anonymous {method} {path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task EveryWriteEndpoint_Viewer_Refused403()
    {
        await using var app = AccessTestApp.Create();
        using var client = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/");

        foreach (var (method, path) in WriteEndpoints(app.Services))
        {
            var response = await SendWithTokenAsync(client, method, path, token);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"viewer {method} {path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task EveryWriteEndpoint_NoUsersConfigured_AnonymousRefused401()
    {
        await using var app = new Support.DashboardAppFactory();
        // With no users no page carries a form, so no page hands out a token: the app issues a valid pair itself
        // (cookie + request token), so the refusal seen is the missing sign-in, not the missing token.
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var issued = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = app.Services };
        var tokens = app.Services.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>().GetAndStoreTokens(issued);
        var cookie = issued.Response.Headers.SetCookie.ToString().Split(';')[0];

        foreach (var (method, path) in WriteEndpoints(app.Services))
        {
            var response = await SendWithTokenAsync(client, method, path, tokens.RequestToken!, cookie);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"anonymous {method} {path} answered {(int)response.StatusCode} with no users configured");
        }
    }

    [Theory]
    [InlineData("POST", null, false)]
    [InlineData("DELETE", DashboardRole.Viewer, false)]
    [InlineData("PUT", DashboardRole.Operator, true)]
    [InlineData("POST", DashboardRole.Admin, true)]
    [InlineData("GET", DashboardRole.Viewer, true)]
    [InlineData("GET", null, false)]
    public async Task FallbackPolicy_EndpointWithoutAuthorizationMetadata_WritesNeedOperator(string method, DashboardRole? role, bool allowed)
    {
        // The policy a future "app.MapPost("/api/clusters/{id}/znodes", ...)" gets when it says nothing.
        await using var app = AccessTestApp.Create();
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthorizationOptions>>().Value;
        var user = role is { } r ? DashboardPrincipal.Create("someone", r, "password", "test") : new ClaimsPrincipal(new ClaimsIdentity());
        var http = new DefaultHttpContext { Request = { Method = method, Path = "/api/clusters/c1/znodes" } };

        var result = await app.Services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(user, http, options.FallbackPolicy!);

        Assert.Equal(allowed, result.Succeeded);
    }

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_Refused400AndAudited()
    {
        await using var app = AccessTestApp.Create();
        using var client = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);

        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "create-token", ["Create.Name"] = "x", ["Create.Role"] = "admin" });
        var response = await client.PostAsync(new Uri("/admin/tokens", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(await AccessTestApp.AuditAsync(app), e => e.Action == AuditActions.AntiforgeryRejected && e.User == AccessTestApp.AdminName && e.Target == "POST /admin/tokens");
    }

    [Fact]
    public async Task Post_FromAnotherSite_Refused400EvenWithToken()
    {
        await using var app = AccessTestApp.Create();
        using var client = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/");

        using var request = AccessTestApp.Request(HttpMethod.Post, "/auth/sign-out", headers: new() { ["Origin"] = "https://evil.example", ["RequestVerificationToken"] = token });
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Circuit_AnonymousWhileAnonymousReadOff_Refused401()
    {
        await using var app = AccessTestApp.Create();
        using var client = AccessTestApp.Client(app);

        var negotiate = await client.PostAsync(new Uri("/_blazor/negotiate?negotiateVersion=1", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
    }

    [Fact]
    public async Task Circuit_Viewer_Negotiates_ButNotFromAnotherSite()
    {
        await using var app = AccessTestApp.Create();
        using var client = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);

        var negotiate = await client.PostAsync(new Uri("/_blazor/negotiate?negotiateVersion=1", UriKind.Relative), null);
        using var crossSite = AccessTestApp.Request(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", headers: new() { ["Origin"] = "https://evil.example" });
        var refused = await client.SendAsync(crossSite);

        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        Assert.Contains("connectionToken", await negotiate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Circuit_AnonymousReadOn_FromAnotherSiteRefused()
    {
        await using var app = AccessTestApp.Create(new() { ["Auth:AnonymousRead"] = "true" });
        using var client = AccessTestApp.Client(app);

        using var request = AccessTestApp.Request(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", headers: new() { ["Origin"] = "https://evil.example" });
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>Every (method, path) pair that changes state, except the sign-in/out forms and the hub, which are open by design and tested on their own.</summary>
    internal static List<(string Method, string Path)> WriteEndpoints(IServiceProvider services)
    {
        var safe = new[] { "GET", "HEAD", "OPTIONS", "TRACE" };
        return services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetMetadata<ReadOnlyOperation>() is null)
            // Blazor's circuit hub is a read with its own tests below; actions inside circuits check roles in services.
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.TrimStart('/').StartsWith("_blazor", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["POST", "PUT", "DELETE"])
                .Where(m => !safe.Contains(m))
                .Select(m => (m, Concrete(e.RoutePattern.RawText!))))
            .Distinct().ToList();
    }

    private static string Concrete(string pattern) => "/" + Parameter().Replace(pattern.TrimStart('/'), "x");

    private static async Task<HttpResponseMessage> SendWithTokenAsync(HttpClient client, string method, string path, string token, string? cookie = null)
    {
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        var headers = new Dictionary<string, string> { ["RequestVerificationToken"] = token };
        if (cookie is not null) headers["Cookie"] = cookie;
        using var request = AccessTestApp.Request(new HttpMethod(method), path, headers: headers, content: content);
        return await client.SendAsync(request);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
