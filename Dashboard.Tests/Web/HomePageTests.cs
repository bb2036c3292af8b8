using AngleSharp.Html.Parser;
using Dashboard.Components.Layout;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Web;

/// <summary>The overview page as the server prerenders it (no browser, no circuit).</summary>
public sealed class HomePageTests
{
    private static readonly HtmlParser Parser = new();

    [Fact]
    public async Task Home_NoClustersConfigured_RendersLayoutAndSaysHowToAddOne()
    {
        await using var app = new DashboardAppFactory();
        using var client = app.CreateClient();

        var response = await client.GetAsync(new Uri("/", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        var document = await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());

        Assert.Equal("Overview", document.QuerySelector("#app-navigation a.active")?.TextContent.Trim());
        Assert.NotNull(document.QuerySelector("#theme-toggle"));
        Assert.Contains("Dashboard:Clusters", document.QuerySelector("#cluster-list")?.TextContent, StringComparison.Ordinal);
        // An interactive page: Blazor's script and MudBlazor's styles (the older Bootstrap bundle is gone).
        Assert.NotNull(document.QuerySelector("script[src='_framework/blazor.web.js']"));
        Assert.NotNull(document.QuerySelector("link[href='_content/MudBlazor/MudBlazor.min.css']"));
        Assert.Null(document.QuerySelector("link[href='dist/app.css']"));
        Assert.Equal("prerendered", document.QuerySelector("#components-reconnect-modal")?.GetAttribute("data-circuit"));
    }

    [Fact]
    public async Task Home_ClustersInSettings_ListsEachWithConnectString()
    {
        await using var app = new DashboardAppFactory(new()
        {
            ["Dashboard:Clusters:0:Name"] = "Payments ZK",
            ["Dashboard:Clusters:0:ConnectString"] = "zk1:2181,zk2:2181,zk3:2181/payments",
            ["Dashboard:Clusters:1:Name"] = "Logs",
            ["Dashboard:Clusters:1:ConnectString"] = "10.0.0.9:2181",
        });
        using var client = app.CreateClient();

        var document = await Parser.ParseDocumentAsync(await client.GetStringAsync(new Uri("/", UriKind.Relative)));
        var rows = document.QuerySelectorAll("#cluster-list tbody tr");

        Assert.Equal(["payments-zk", "logs"], rows.Select(r => r.GetAttribute("data-cluster-id")));
        Assert.Equal("zk1:2181,zk2:2181,zk3:2181/payments", rows[0].QuerySelector("code")?.TextContent);
    }

    [Fact]
    public async Task EveryNavigationLink_Answers200()
    {
        await using var app = new DashboardAppFactory();
        using var client = app.CreateClient();
        foreach (var section in NavigationSections.All)
        {
            var response = await client.GetAsync(new Uri(section.Href, UriKind.Relative));
            Assert.True(response.IsSuccessStatusCode, $"{section.Title} ({section.Href}) answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task UnknownAddress_Answers404WithPageNotStackTrace()
    {
        await using var app = new DashboardAppFactory();
        using var client = app.CreateClient();

        var response = await client.GetAsync(new Uri("/no/such/page", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is nothing at this address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_WithoutConnectString_FailsStartupWithSettingName()
    {
        using var app = new DashboardAppFactory(new() { ["Dashboard:Clusters:0:Name"] = "Broken" });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Dashboard:Clusters:0", error.ToString(), StringComparison.Ordinal);
    }
}
