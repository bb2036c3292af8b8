using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Web;

/// <summary>The monitor, page and API against a configured cluster whose only node refuses connections.</summary>
public sealed class EnsembleApiTests
{
    private static Dictionary<string, string?> UnreachableCluster() => new()
    {
        ["Dashboard:Clusters:0:Name"] = "Gone",
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:1",
        ["Dashboard:Clusters:0:PollInterval"] = "00:00:00.250",
    };

    private static async Task<JsonElement> WaitForSnapshotAsync(HttpClient client, string id)
    {
        for (var i = 0; i < 40; i++)
        {
            var response = await client.GetAsync(new Uri($"/api/clusters/{id}/ensemble", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK) return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            await Task.Delay(100);
        }
        throw new TimeoutException("no snapshot within 4 s");
    }

    [Fact]
    public async Task Api_UnreachableNode_ReportsItDownWithHostPortAndLowerCaseRole()
    {
        await using var app = new DashboardAppFactory(UnreachableCluster());
        using var client = app.CreateClient();

        var snapshot = await WaitForSnapshotAsync(client, "gone");

        var node = snapshot.GetProperty("nodes")[0];
        Assert.Equal("127.0.0.1", node.GetProperty("host").GetString());
        Assert.Equal(1, node.GetProperty("clientPort").GetInt32());
        Assert.Equal("down", node.GetProperty("role").GetString());
        Assert.False(string.IsNullOrEmpty(node.GetProperty("error").GetString()));
        Assert.False(snapshot.GetProperty("analysis").GetProperty("hasQuorum").GetBoolean());
        Assert.Contains(snapshot.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "node-down");
    }

    [Fact]
    public async Task Api_UnknownCluster_Answers404()
    {
        await using var app = new DashboardAppFactory();
        using var client = app.CreateClient();
        var response = await client.GetAsync(new Uri("/api/clusters/nope/ensemble", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task EnsemblePage_UnreachableNode_ShowsDownNodeAndMetricsSayNotUp()
    {
        await using var app = new DashboardAppFactory(UnreachableCluster());
        using var client = app.CreateClient();
        await WaitForSnapshotAsync(client, "gone");

        var page = await new HtmlParser().ParseDocumentAsync(await client.GetStringAsync(new Uri("/clusters/gone/ensemble", UriKind.Relative)));
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var clusters = JsonDocument.Parse(await client.GetStringAsync(new Uri("/api/clusters", UriKind.Relative))).RootElement;

        Assert.NotNull(page.QuerySelector("#ensemble-live"));
        Assert.Equal("down", page.QuerySelector("#topology g.topo-node")!.GetAttribute("data-role"));
        Assert.Contains("zk_dashboard_node_up{cluster=\"gone\",node=\"\",address=\"127.0.0.1:1\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("zk_dashboard_cluster_has_quorum{cluster=\"gone\"} 0", metrics, StringComparison.Ordinal);
        Assert.False(clusters[0].GetProperty("hasQuorum").GetBoolean());
    }

    [Fact]
    public async Task EnsemblePage_UnknownCluster_Answers404NotFoundPage()
    {
        await using var app = new DashboardAppFactory();
        using var client = app.CreateClient();
        var response = await client.GetAsync(new Uri("/clusters/nope/ensemble", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is nothing at this address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
