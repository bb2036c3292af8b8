using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Dashboard.Core.Access;
using Microsoft.Data.Sqlite;

namespace Dashboard.Tests.Access;

public sealed class ApiTokenTests
{
    private static readonly HtmlParser Parser = new();

    /// <summary>Creates a token through the admin page, as a person would, and returns the secret it shows once.</summary>
    internal static async Task<(string Id, string Secret, string Page)> CreateTokenAsync(HttpClient admin, string name, string role)
    {
        var token = await AccessTestApp.AntiforgeryTokenAsync(admin, "/admin/tokens");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "create-token", ["__RequestVerificationToken"] = token, ["Create.Name"] = name, ["Create.Role"] = role,
        });
        var response = await admin.PostAsync(new Uri("/admin/tokens", UriKind.Relative), form);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, html);
        var page = await Parser.ParseDocumentAsync(html);
        var secret = page.QuerySelector("[data-token-secret]")?.TextContent.Trim();
        Assert.NotNull(secret);
        var id = page.QuerySelectorAll("#token-list tr[data-token-id]").First(r => r.TextContent.Contains(name, StringComparison.Ordinal)).GetAttribute("data-token-id")!;
        return (id, secret, html);
    }

    internal static async Task RevokeTokenAsync(HttpClient admin, string id)
    {
        var token = await AccessTestApp.AntiforgeryTokenAsync(admin, "/admin/tokens");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = $"revoke-{id}", ["__RequestVerificationToken"] = token });
        var response = await admin.PostAsync(new Uri("/admin/tokens", UriKind.Relative), form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
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

        var (_, secret, _) = await CreateTokenAsync(admin, "deploy-bot", "operator");
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
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        using var script = AccessTestApp.Client(app);
        var (id, secret, _) = await CreateTokenAsync(admin, "old-bot", "viewer");
        Assert.Equal(HttpStatusCode.OK, (await WhoAmIAsync(script, secret)).StatusCode);

        await RevokeTokenAsync(admin, id);
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
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
        using var script = AccessTestApp.Client(app);
        var (_, secret, _) = await CreateTokenAsync(admin, "page-bot", "admin");

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
            using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);
            (_, secret, _) = await CreateTokenAsync(admin, "kept-bot", "viewer");
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
