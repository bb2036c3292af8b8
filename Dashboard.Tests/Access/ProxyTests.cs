using System.Net;
using System.Text.Json;

namespace Dashboard.Tests.Access;

/// <summary>Headers from a reverse proxy count only when the connection comes from a configured proxy address.</summary>
public sealed class ProxyTests
{
    private const string ProxyAddress = "10.1.2.3";

    private static Support.DashboardAppFactory App() => AccessTestApp.Create(new()
    {
        ["Auth:Proxy:TrustedAddresses:0"] = "10.1.2.0/24",
        ["Auth:Proxy:GroupRoles:zk-admins"] = "admin",
        ["Auth:Proxy:GroupRoles:zk-ops"] = "operator",
    });

    private static Dictionary<string, string> Headers(string user, string groups) => new() { ["X-Forwarded-User"] = user, ["X-Forwarded-Groups"] = groups };

    [Fact]
    public async Task ProxyHeaders_FromUntrustedAddress_AreIgnored()
    {
        await using var app = App();
        using var client = AccessTestApp.Client(app);

        using var page = AccessTestApp.Request(HttpMethod.Get, "/admin/audit", "192.168.7.7", Headers("mallory", "zk-admins"));
        using var api = AccessTestApp.Request(HttpMethod.Get, "/api/me", "192.168.7.7", Headers("mallory", "zk-admins"));
        var pageResponse = await client.SendAsync(page);
        var apiResponse = await client.SendAsync(api);

        Assert.Equal(HttpStatusCode.Redirect, pageResponse.StatusCode);
        Assert.StartsWith("/sign-in", pageResponse.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, apiResponse.StatusCode);
    }

    [Fact]
    public async Task ProxyHeaders_FromTrustedAddress_HighestMappedRoleWins()
    {
        await using var app = App();
        using var client = AccessTestApp.Client(app);

        using var api = AccessTestApp.Request(HttpMethod.Get, "/api/me", ProxyAddress, Headers("pat@example.com", "staff, zk-ops ,zk-admins"));
        using var page = AccessTestApp.Request(HttpMethod.Get, "/admin/audit", ProxyAddress, Headers("pat@example.com", "zk-admins"));
        var me = JsonDocument.Parse(await (await client.SendAsync(api)).Content.ReadAsStringAsync()).RootElement;
        var pageResponse = await client.SendAsync(page);

        Assert.Equal("pat@example.com", me.GetProperty("name").GetString());
        Assert.Equal("admin", me.GetProperty("role").GetString());
        Assert.Equal("proxy", me.GetProperty("via").GetString());
        Assert.Equal(HttpStatusCode.OK, pageResponse.StatusCode);
    }

    [Fact]
    public async Task ProxyHeaders_FromTrustedAddressWithUnmappedGroups_GetDefaultViewerRole()
    {
        await using var app = App();
        using var client = AccessTestApp.Client(app);

        using var api = AccessTestApp.Request(HttpMethod.Get, "/api/me", "::ffff:10.1.2.3", Headers("sam", "staff"));
        using var write = AccessTestApp.Request(HttpMethod.Post, "/", ProxyAddress, Headers("sam", "staff"));
        var me = JsonDocument.Parse(await (await client.SendAsync(api)).Content.ReadAsStringAsync()).RootElement;
        var writeResponse = await client.SendAsync(write);

        Assert.Equal("viewer", me.GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, writeResponse.StatusCode);
    }
}
