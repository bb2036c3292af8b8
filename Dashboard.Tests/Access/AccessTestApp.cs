using System.Net;
using System.Text.RegularExpressions;
using Dashboard.Core.Access;
using Dashboard.Core.History;
using Dashboard.Hosting;
using Dashboard.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Access;

/// <summary>An app with three built-in users, one per role, and helpers to act as each of them.</summary>
internal static partial class AccessTestApp
{
    public const string AdminName = "alice";
    public const string OperatorName = "oscar";
    public const string ViewerName = "vera";
    public const string AdminPassword = "alice-secret-password-1";
    public const string OperatorPassword = "oscar-secret-password-2";
    public const string ViewerPassword = "vera-secret-password-3";

    // Hashing is deliberately slow: once per test run.
    public static readonly string AdminHash = PasswordHashCommand.Hash(AdminPassword);
    public static readonly string OperatorHash = PasswordHashCommand.Hash(OperatorPassword);
    public static readonly string ViewerHash = PasswordHashCommand.Hash(ViewerPassword);

    public static DashboardAppFactory Create(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Users:0:Name"] = AdminName, ["Auth:Users:0:PasswordHash"] = AdminHash, ["Auth:Users:0:Role"] = "admin",
            ["Auth:Users:1:Name"] = OperatorName, ["Auth:Users:1:PasswordHash"] = OperatorHash, ["Auth:Users:1:Role"] = "operator",
            ["Auth:Users:2:Name"] = ViewerName, ["Auth:Users:2:PasswordHash"] = ViewerHash, ["Auth:Users:2:Role"] = "viewer",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return new DashboardAppFactory(settings);
    }

    public static HttpClient Client(DashboardAppFactory app) => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public static string PasswordOf(string name) => name switch
    {
        AdminName => AdminPassword,
        OperatorName => OperatorPassword,
        _ => ViewerPassword,
    };

    /// <summary>A client with a session for <paramref name="name"/>.</summary>
    public static async Task<HttpClient> SignedInAsync(DashboardAppFactory app, string name)
    {
        var client = Client(app);
        var response = await SignInAsync(client, name, PasswordOf(name));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("error=", response.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
        return client;
    }

    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string name, string password, string? returnUrl = null)
    {
        var token = await AntiforgeryTokenAsync(client, "/sign-in");
        var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["name"] = name, ["password"] = password };
        if (returnUrl is not null) fields["returnUrl"] = returnUrl;
        using var form = new FormUrlEncodedContent(fields);
        return await client.PostAsync(new Uri("/auth/sign-in", UriKind.Relative), form);
    }

    /// <summary>
    /// The token a page hands this client, as a browser would read it: the hidden field of a form (the sign-in form,
    /// an interactive page's sign-out form); a page without one gets it from the sign-in page.
    /// </summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(new Uri(page, UriKind.Relative));
        var match = FieldToken().Match(html);
        if (!match.Success && page != "/sign-in") return await AntiforgeryTokenAsync(client, "/sign-in");
        Assert.True(match.Success, $"{page} has no antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public static async Task<IReadOnlyList<AuditEntry>> AuditAsync(DashboardAppFactory app)
    {
        Assert.True(await app.Services.GetRequiredService<HistoryWriter>().FlushAsync(), "the history writer could not write");
        return await app.Services.GetRequiredService<AuditLogReader>().QueryAsync(new AuditQuery { Limit = AuditQuery.MaxLimit });
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? remoteAddress = null, Dictionary<string, string>? headers = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        if (remoteAddress is not null) request.Headers.Add(DashboardAppFactory.RemoteAddressHeader, remoteAddress);
        foreach (var (key, value) in headers ?? []) request.Headers.TryAddWithoutValidation(key, value);
        return request;
    }


    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FieldToken();
}
