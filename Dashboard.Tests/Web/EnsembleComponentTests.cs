using AngleSharp.Html.Parser;
using Dashboard.Components.Controls;
using Dashboard.Components.Controls.EnsembleView;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Live;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Web;

/// <summary>The ensemble components rendered with HtmlRenderer (as the live push does) and queried with AngleSharp.</summary>
public sealed class EnsembleComponentTests : IAsyncLifetime
{
    private static readonly HtmlParser Parser = new();
    private static readonly ClusterDefinition Cluster = new("prod", "Prod", "a:2181", ClusterOrigin.Settings);
    private readonly DashboardAppFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static NodeStatus Node(int id, NodeRole role, bool voter = true) =>
        new($"10.0.0.{id}", 2181, role) { Id = id, IsVoter = voter, Zxid = new Zxid(0x500000010), Datacenter = id <= 3 ? "eu" : "us" };

    private async Task<AngleSharp.Html.Dom.IHtmlDocument> RenderAsync(params NodeStatus[] nodes)
    {
        var snapshot = EnsemblePoller.Assemble(Cluster, DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(12), nodes);
        var state = new ClusterEnsembleState(snapshot, [snapshot], []);
        var publisher = _app.Services.GetRequiredService<LiveFragmentPublisher>();
        var html = await publisher.RenderAsync<EnsembleLive>(new Dictionary<string, object?> { ["Cluster"] = Cluster, ["State"] = state });
        return await Parser.ParseDocumentAsync(html);
    }

    [Fact]
    public async Task Topology_LeaderFollowersObserverAndDownNode_EachShownWithRoleAndShape()
    {
        var doc = await RenderAsync(Node(1, NodeRole.Follower), Node(2, NodeRole.Leader), Node(3, NodeRole.Down), Node(4, NodeRole.Observer, voter: false));

        var topology = doc.QuerySelector("#topology")!;
        Assert.Equal("2", topology.GetAttribute("data-leader-id"));
        var roles = topology.QuerySelectorAll("g.topo-node").ToDictionary(g => g.GetAttribute("data-node-id")!, g => g.GetAttribute("data-role"));
        Assert.Equal(new Dictionary<string, string?> { ["1"] = "follower", ["2"] = "leader", ["3"] = "down", ["4"] = "observer" }, roles);
        // Shape, not colour alone: the leader has a ring, the observer is a square, the down node a cross.
        Assert.NotNull(topology.QuerySelector("g[data-role=leader] circle.topo-ring"));
        Assert.NotNull(topology.QuerySelector("g[data-role=observer] rect"));
        Assert.NotNull(topology.QuerySelector("g[data-role=down] path.topo-cross"));
        Assert.Contains("down", topology.QuerySelector("g[data-role=down] .topo-role")!.TextContent, StringComparison.Ordinal);
        // Lines run from the leader to the learners that serve (follower and observer), not to the down node.
        Assert.Equal(2, topology.QuerySelectorAll("line.topo-link").Length);
        Assert.Equal(2, topology.QuerySelectorAll("text.topo-dc").Length);
    }

    [Fact]
    public async Task QuorumPanel_OneVoterDown_ShowsNumbersAndNodeDownFinding()
    {
        var doc = await RenderAsync(Node(1, NodeRole.Follower), Node(2, NodeRole.Leader), Node(3, NodeRole.Down), Node(4, NodeRole.Observer, voter: false));

        Assert.Equal("true", doc.QuerySelector("#quorum")!.GetAttribute("data-has-quorum"));
        Assert.Equal("2 / 3", doc.QuerySelector("#voters-up")!.TextContent.Trim());
        Assert.Equal("2", doc.QuerySelector("#quorum-size")!.TextContent.Trim());
        Assert.Equal("0", doc.QuerySelector("#failures-tolerated")!.TextContent.Trim());
        var finding = doc.QuerySelector("#findings li[data-code=node-down]")!;
        Assert.Equal("critical", finding.GetAttribute("data-severity"));
        Assert.Equal(["follower", "leader", "down", "observer"], doc.QuerySelectorAll("#node-table tbody tr").Select(r => r.GetAttribute("data-role")));
    }

    [Fact]
    public async Task Topology_NoLeader_SaysSoAndQuorumLost()
    {
        var doc = await RenderAsync(Node(1, NodeRole.NotServing), Node(2, NodeRole.Down), Node(3, NodeRole.Down));

        Assert.Contains("no leader", doc.QuerySelector("#topology")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("false", doc.QuerySelector("#quorum")!.GetAttribute("data-has-quorum"));
        Assert.NotNull(doc.QuerySelector("#findings li[data-code=quorum-lost]"));
        Assert.NotNull(doc.QuerySelector("#findings li[data-code=no-leader]"));
    }

    [Fact]
    public async Task ClusterList_WithSnapshot_ShowsLeaderQuorumAndLinksToEnsemble()
    {
        var snapshot = EnsemblePoller.Assemble(Cluster, DateTimeOffset.UnixEpoch, TimeSpan.Zero, [Node(1, NodeRole.Leader), Node(2, NodeRole.Follower), Node(3, NodeRole.Down)]);
        var publisher = _app.Services.GetRequiredService<LiveFragmentPublisher>();
        var html = await publisher.RenderAsync<ClusterList>(ClusterList.Parameters(
            [new ClusterEntry(Cluster, ClusterAvailability.Configured)], new Dictionary<string, EnsembleSnapshot> { ["prod"] = snapshot }));
        var doc = await Parser.ParseDocumentAsync(html);

        Assert.Equal("/clusters/prod/ensemble", doc.QuerySelector("tr[data-cluster-id=prod] a")!.GetAttribute("href"));
        Assert.Equal("node 1", doc.QuerySelector("td[data-field=leader]")!.TextContent.Trim());
        Assert.Equal("2 / 2", doc.QuerySelector("td[data-field=quorum]")!.TextContent.Trim());
        Assert.Contains("down", doc.QuerySelector("td[data-field=worst]")!.TextContent, StringComparison.Ordinal);
    }
}
