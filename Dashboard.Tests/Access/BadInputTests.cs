using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dashboard.Core.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Access;

/// <summary>Malformed numbers, flags and JSON in every query and body that takes them: a 400 with a message, never a 500.</summary>
public sealed class BadInputTests
{
    private static Dictionary<string, string?> Settings() => new()
    {
        ["Dashboard:Clusters:0:Name"] = "Local",
        ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:1",
        ["Dashboard:Clusters:0:Maintenance:Enabled"] = "true",
        ["Dashboard:Clusters:0:Maintenance:Control:Kind"] = "manual",
    };

    [Theory]
    [InlineData("GET", "/api/clusters/local/znodes?path=/&offset=abc", null)]
    [InlineData("GET", "/api/clusters/local/znodes?path=/&limit=99999999999", null)]
    [InlineData("GET", "/api/clusters/local/znodes?path=/&desc=maybe", null)]
    [InlineData("GET", "/api/clusters/local/maintenance/plan?operation=restart&nodes=1&preferredElection=yes", null)]
    [InlineData("GET", "/api/clusters/local/maintenance/plan?operation=restart&nodes=a,b", null)]
    [InlineData("GET", "/api/clusters/local/events?limit=lots", null)]
    [InlineData("POST", "/api/clusters/local/maintenance/runs/r1/resume", "{\"mode\": ")]
    [InlineData("POST", "/api/clusters/local/maintenance/runs/r1/resume", "[1,2]")]
    [InlineData("POST", "/api/clusters/local/maintenance/runs", "{\"operation\":\"restart\",\"nodes\":\"x\"}")]
    [InlineData("POST", "/api/clusters/local/maintenance/runs", "{not json")]
    [InlineData("POST", "/api/clusters/local/kafka/preferred-election", "{\"topic\": 5")]
    public async Task Api_BadNumberFlagOrJson_Answers400WithAMessage(string method, string path, string? body)
    {
        await using var app = AccessTestApp.Create(Settings());
        var token = await app.Services.GetRequiredService<ApiTokenStore>().CreateAsync("probe", DashboardRole.Admin, "test");
        using var client = AccessTestApp.Client(app);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Secret);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path}: {(int)response.StatusCode} {text}");
        Assert.False(string.IsNullOrWhiteSpace(text), "a 400 without a message");
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
    }

    [Theory]
    [InlineData("/clusters/local/znodes?offset=abc")]
    [InlineData("/clusters/local/znodes?desc=maybe")]
    [InlineData("/clusters/local/znodes?path=/&limit=abc")]
    [InlineData("/clusters/local/kafka/topics/orders?page=abc")]
    [InlineData("/clusters/local/kafka/topics/orders?broker=abc")]
    public async Task Page_BadNumberOrFlag_Answers400WithAMessage(string path)
    {
        await using var app = AccessTestApp.Create(Settings());
        using var admin = await AccessTestApp.SignedInAsync(app, AccessTestApp.AdminName);

        var response = await admin.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
        Assert.Contains("must be", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }
}
