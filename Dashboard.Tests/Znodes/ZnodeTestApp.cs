using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Znodes;

/// <summary>The app pointed at a real ensemble as cluster "zk", with a client that posts forms the way a browser does.</summary>
internal sealed class ZnodeTestApp : IAsyncDisposable
{
    public const string ClusterId = "zk";
    private static readonly HtmlParser Parser = new();

    private readonly Lazy<HttpClient> _http;

    private ZnodeTestApp(DashboardAppFactory factory, string? user)
    {
        Factory = factory;
        // Created on first use: a browser test puts the app on Kestrel first, which must happen before any client.
        _http = new Lazy<HttpClient>(() => user is not null ? SignedIn(factory, user) : factory.CreateClient());
    }

    /// <summary>Changes need the operator role (ACLs the admin role): a client with that user's session (sign-in as a browser does it).</summary>
    private static HttpClient SignedIn(DashboardAppFactory factory, string user)
    {
        var client = factory.CreateClient();
        var response = Access.AccessTestApp.SignInAsync(client, user, Access.AccessTestApp.PasswordOf(user)).GetAwaiter().GetResult();
        Assert.True(response.IsSuccessStatusCode, $"{user} sign-in answered {(int)response.StatusCode}");
        return client;
    }

    public DashboardAppFactory Factory { get; }
    public HttpClient Http => _http.Value;

    /// <param name="user">Who the client signs in as when writes are on (the operator unless said).</param>
    public static ZnodeTestApp Start(string connectString, bool allowWrites = false, Dictionary<string, string?>? extra = null, string user = Access.AccessTestApp.OperatorName)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Clusters:0:Id"] = ClusterId,
            ["Dashboard:Clusters:0:Name"] = "Test ensemble",
            ["Dashboard:Clusters:0:ConnectString"] = connectString,
            ["Znodes:AllowWrites"] = allowWrites ? "true" : "false",
        };
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        // With writes on, the app has users (one per role) and this client acts as the operator.
        return allowWrites
            ? new ZnodeTestApp(Access.AccessTestApp.Create(settings), user)
            : new ZnodeTestApp(new DashboardAppFactory(settings), null);
    }

    public InMemoryZnodeChangeRecorder Changes => Factory.Services.GetRequiredService<InMemoryZnodeChangeRecorder>();

    public static string PageUrl(string path, string extra = "") => $"/clusters/{ClusterId}/znodes?path={Uri.EscapeDataString(path)}{extra}";

    public async Task<IHtmlDocument> PageAsync(string path, string extra = "")
    {
        var response = await Http.GetAsync(new Uri(PageUrl(path, extra), UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());
    }

    public static Task<IHtmlDocument> ParseAsync(string html) => Parser.ParseDocumentAsync(html);

    /// <summary>Posts a form with the antiforgery token a page gave this client (its cookie travels with the client).</summary>
    public async Task<(HttpStatusCode Status, IHtmlDocument Html)> PostAsync(string action, Dictionary<string, string> fields)
    {
        var token = await TokenAsync();
        fields["__RequestVerificationToken"] = token;
        using var content = new FormUrlEncodedContent(fields);
        var response = await Http.PostAsync(new Uri($"/clusters/{ClusterId}/znodes/{action}", UriKind.Relative), content);
        return (response.StatusCode, await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync()));
    }

    public async Task<(HttpStatusCode Status, IHtmlDocument Html)> PostFileAsync(string action, string fileName, byte[] file, Dictionary<string, string> fields)
    {
        var token = await TokenAsync();
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent(token), "__RequestVerificationToken");
        foreach (var (k, v) in fields) content.Add(new StringContent(v), k);
        content.Add(new ByteArrayContent(file), "file", fileName);
        var response = await Http.PostAsync(new Uri($"/clusters/{ClusterId}/znodes/{action}", UriKind.Relative), content);
        return (response.StatusCode, await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>
    /// The fields of the HTTP set-data endpoint for the node the page's edit form shows: which node and version it
    /// edits and how (data attributes), and the value as the text field holds it (line breaks as CRLF, which is
    /// what a form submission sends).
    /// </summary>
    public static Dictionary<string, string> BrowserFields(AngleSharp.Dom.IElement form, string path)
    {
        ArgumentNullException.ThrowIfNull(form);
        var area = form.QuerySelector("textarea#edit-data") as IHtmlTextAreaElement;
        var fields = new Dictionary<string, string>
        {
            ["path"] = path,
            ["version"] = form.GetAttribute("data-version")!,
            ["czxid"] = form.GetAttribute("data-czxid")!,
            ["encoding"] = form.GetAttribute("data-encoding")!,
            ["lineEndings"] = form.GetAttribute("data-line-ending")!,
            ["data"] = (area?.Value ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace("\n", "\r\n", StringComparison.Ordinal),
        };
        if (form.GetAttribute("data-null") == "true") fields["null"] = "on";
        return fields;
    }

    /// <summary>What the page's recursive delete would remove (the dialog's count and fingerprint), as the operator.</summary>
    public async Task<RecursiveDeletePlan> RecursiveDeletePlanAsync(string path)
    {
        var writes = Factory.Services.GetRequiredService<Dashboard.Znodes.ZnodeWriteService>();
        var (plan, problem) = await writes.PlanRecursiveDeleteAsync(ZnodeComponents.As(Core.Access.DashboardRole.Operator), ClusterId, path, CancellationToken.None);
        return plan ?? throw new InvalidOperationException(problem);
    }

    private async Task<string> TokenAsync()
    {
        // The interactive pages need no token (a circuit is not a form post); the static sign-in form still carries one.
        var response = await Http.GetAsync(new Uri("/sign-in", UriKind.Relative));
        var page = await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        var token = page.QuerySelector("input[name='__RequestVerificationToken']")?.GetAttribute("value");
        Assert.False(string.IsNullOrEmpty(token), "the page carries an antiforgery token");
        return token!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_http.IsValueCreated) _http.Value.Dispose();
        await Factory.DisposeAsync();
    }
}

/// <summary>A direct client for arranging and checking the tree, and a unique test root.</summary>
internal static class ZnodeFixture
{
    public static async Task<ZooKeeperClient> ClientAsync(string connectString, int maxFrame = ZooKeeperClientOptions.DefaultMaxFrameSize) =>
        await ZooKeeperClient.ConnectAsync(connectString, new ZooKeeperClientOptions { MaxFrameSize = maxFrame, RequestTimeout = TimeSpan.FromSeconds(60) });

    public static string UniqueRoot(string prefix) => $"/{prefix}-{Guid.NewGuid():N}";
}

internal static class ZnodeTestAppComponents
{
    /// <summary>A bUnit context over this app's services, for the page's components.</summary>
    public static ZnodeComponents Components(this ZnodeTestApp app) => new(app);
}
