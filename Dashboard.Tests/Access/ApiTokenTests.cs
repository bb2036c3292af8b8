using Dashboard.Tests.Support;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Access;

public sealed class ApiTokenTests
{
    /// <summary>An admin as the tokens page's circuit holds them.</summary>
    internal static readonly ClaimsPrincipal Admin = DashboardPrincipal.Create(AccessTestApp.AdminName, DashboardRole.Admin, "password", "Cookies");

    /// <summary>Creates a token as the admin page does (its circuit calls the service), and returns the secret it shows once.</summary>
    internal static async Task<(string Id, string Secret)> CreateTokenAsync(DashboardAppFactory app, string name, string role)
    {
        var outcome = await app.Services.GetRequiredService<ApiTokenAdmin>().CreateAsync(Admin, null, name, role);
        Assert.True(outcome.Succeeded, outcome.Message);
        return (outcome.Issued!.Token.Id, outcome.Issued.Secret);
    }

    internal static async Task RevokeTokenAsync(DashboardAppFactory app, string id)
    {
        var outcome = await app.Services.GetRequiredService<ApiTokenAdmin>().RevokeAsync(Admin, null, id);
        Assert.True(outcome.Succeeded, outcome.Message);
    }

    private static async Task<HttpResponseMessage> WhoAmIAsync(HttpClient client, string secret, string path = "/api/me")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Token_CreatedByAdmin_ShownOnceAndActsWithItsRole()
    {
        await using var app = AccessTestApp.Create();
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        using var script = AccessTestApp.Client(app);

        var (_, secret) = await CreateTokenAsync(app, "deploy-bot", "operator");
        var me = await WhoAmIAsync(script, secret);
        var body = JsonDocument.Parse(await me.Content.ReadAsStringAsync()).RootElement;
        var listAfterwards = await admin.GetStringAsync(new Uri("/admin/tokens", UriKind.Relative));

        Assert.StartsWith(ApiTokenStore.Prefix, secret, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("token:deploy-bot", body.GetProperty("name").GetString());
        Assert.Equal("operator", body.GetProperty("role").GetString());
        Assert.Contains("deploy-bot", listAfterwards, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listAfterwards, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_Revoked_Refused401()
    {
        await using var app = AccessTestApp.Create();
        using var script = AccessTestApp.Client(app);
        var (id, secret) = await CreateTokenAsync(app, "old-bot", "viewer");
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(script, secret)).StatusCode);

        await RevokeTokenAsync(app, id);
        var after = await WhoAmIAsync(script, secret);

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("Bearer", after.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Token_Unknown_Refused401()
    {
        await using var app = AccessTestApp.Create(new() { ["Auth:AnonymousRead"] = "true" });
        using var script = AccessTestApp.Client(app);

        // Even with anonymous reading on, a wrong token is an error, not a silent downgrade to anonymous.
        var response = await WhoAmIAsync(script, ApiTokenStore.Prefix + "made-up");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Token_OutsideApi_IsIgnored()
    {
        await using var app = AccessTestApp.Create();
        using var script = AccessTestApp.Client(app);
        var (_, secret) = await CreateTokenAsync(app, "page-bot", "admin");

        var page = await WhoAmIAsync(script, secret, "/admin/audit");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task Token_StoredOnlyAsSha256_AndSurvivesRestart()
    {
        string secret, historyPath;
        var settings = new Dictionary<string, string?> { ["History:DatabasePath"] = Path.Combine(Path.GetTempPath(), "zkd-tests", Guid.NewGuid().ToString("N"), "history.db") };
        await using (var app = AccessTestApp.Create(settings))
        {
            (_, secret) = await CreateTokenAsync(app, "kept-bot", "viewer");
            historyPath = app.HistoryPath;
        }

        using (var connection = new SqliteConnection($"Data Source={historyPath};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name || '|' || role || '|' || sha256 FROM api_tokens";
            var row = (string)command.ExecuteScalar()!;
            Assert.Equal($"kept-bot|viewer|{ApiTokenStore.Hash(secret)}", row);
        }
        var file = await File.ReadAllBytesAsync(historyPath);
        Assert.DoesNotContain(secret, System.Text.Encoding.UTF8.GetString(file), StringComparison.Ordinal);

        await using var restarted = AccessTestApp.Create(settings);
        using var script = AccessTestApp.Client(restarted);
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(script, secret)).StatusCode);
        Directory.Delete(Path.GetDirectoryName(historyPath)!, recursive: true);
    }
}
