using Bunit;
using Dashboard.Components.Controls;
using Dashboard.Components.Controls.EnsembleView;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Kafka;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Web;

/// <summary>The ensemble components in bUnit, fed by the real stores the pollers write to.</summary>
public sealed class EnsembleComponentTests : IAsyncLifetime
{
    private static readonly ClusterDefinition Cluster = new("prod", "Prod", "a:2181", ClusterOrigin.Settings);
    private readonly EnsembleStore _store = new();
    private readonly ClusterRegistry _registry = new([Cluster]);
    private readonly ComponentContext _ui;

    public EnsembleComponentTests() =>
        _ui = new ComponentContext(s => s.AddSingleton(_store).AddSingleton(_registry).AddSingleton(new KafkaStore()));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _ui.DisposeAsync();

    private static NodeStatus Node(int id, NodeRole role, bool voter = true) =>
        new($"10.0.0.{id}", 2181, role) { Id = id, IsVoter = voter, Zxid = new Zxid(0x500000010), Datacenter = id <= 3 ? "eu" : "us" };

    private void Poll(params NodeStatus[] nodes) =>
        _store.Record(EnsemblePoller.Assemble(Cluster, DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(12), nodes));

    private IRenderedComponent<EnsembleLive> RenderEnsemble() => _ui.Bunit.Render<EnsembleLive>(p => p.Add(c => c.Cluster, Cluster));

    [Fact]
    public void Topology_LeaderFollowersObserverAndDownNode_EachShownWithRoleAndShape()
    {
        Poll(Node(1, NodeRole.Follower), Node(2, NodeRole.Leader), Node(3, NodeRole.Down), Node(4, NodeRole.Observer, voter: false));
        var cut = RenderEnsemble();

        var topology = cut.Find("#topology");
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
    public void PolledLine_NamesTheReplicaThatPolled_OnlyAmongReplicas()
    {
        Poll(Node(1, NodeRole.Leader));
        var cut = RenderEnsemble();
        Assert.Empty(cut.FindAll("#ensemble-polled-by")); // one dashboard: no replica to name
        Assert.EndsWith("every 2000 ms.", cut.Find("#ensemble-polled").TextContent.Trim(), StringComparison.Ordinal);

        _store.Record(EnsemblePoller.Assemble(Cluster, DateTimeOffset.UnixEpoch.AddSeconds(2), TimeSpan.FromMilliseconds(12), [Node(1, NodeRole.Leader)]) with { PolledBy = "dash-2" });
        cut.WaitForAssertion(() => Assert.Equal("dash-2", cut.Find("#ensemble-polled-by code").TextContent));
    }

    [Fact]
    public void QuorumPanel_OneVoterDown_ShowsNumbersAndNodeDownFinding()
    {
        Poll(Node(1, NodeRole.Follower), Node(2, NodeRole.Leader), Node(3, NodeRole.Down), Node(4, NodeRole.Observer, voter: false));
        var cut = RenderEnsemble();

        Assert.Equal("true", cut.Find("#quorum").GetAttribute("data-has-quorum"));
        Assert.Equal("2 / 3", cut.Find("#voters-up").TextContent.Trim());
        Assert.Equal("2", cut.Find("#quorum-size").TextContent.Trim());
        Assert.Equal("0", cut.Find("#failures-tolerated").TextContent.Trim());
        var finding = cut.Find("#findings li[data-code=node-down]");
        Assert.Equal("critical", finding.GetAttribute("data-severity"));
        Assert.Equal(["follower", "leader", "down", "observer"], cut.FindAll("#node-table tbody tr").Select(r => r.GetAttribute("data-role")));
    }

    [Fact]
    public void Topology_NoLeader_SaysSoAndQuorumLost()
    {
        Poll(Node(1, NodeRole.NotServing), Node(2, NodeRole.Down), Node(3, NodeRole.Down));
        var cut = RenderEnsemble();

        Assert.Contains("no leader", cut.Find("#topology").TextContent, StringComparison.Ordinal);
        Assert.Equal("false", cut.Find("#quorum").GetAttribute("data-has-quorum"));
        Assert.NotNull(cut.Find("#findings li[data-code=quorum-lost]"));
        Assert.NotNull(cut.Find("#findings li[data-code=no-leader]"));
    }

    [Fact]
    public async Task EnsembleLive_NewPollInTheStore_RerendersWithTheNewLeaderAndStopsAfterDisposal()
    {
        Poll(Node(1, NodeRole.Leader), Node(2, NodeRole.Follower), Node(3, NodeRole.Follower));
        var cut = RenderEnsemble();
        Assert.Equal("1", cut.Find("#topology").GetAttribute("data-leader-id"));

        // The leader dies and node 3 wins the election: the open screen follows without being asked.
        Poll(Node(1, NodeRole.Down), Node(2, NodeRole.Follower), Node(3, NodeRole.Leader));
        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("#topology").GetAttribute("data-leader-id")), TimeSpan.FromSeconds(5));

        var renders = cut.RenderCount;
        await _ui.Bunit.DisposeComponentsAsync();
        Poll(Node(1, NodeRole.Follower), Node(2, NodeRole.Leader), Node(3, NodeRole.Follower));
        await Task.Delay(3 * Dashboard.Components.Live.LiveComponentBase.MinimumGap);
        Assert.Equal(renders, cut.RenderCount);
    }

    [Fact]
    public void EnsembleLive_Prerendered_DoesNotSubscribe()
    {
        _ui.Bunit.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", false));
        Poll(Node(1, NodeRole.Leader), Node(2, NodeRole.Follower), Node(3, NodeRole.Follower));
        var cut = RenderEnsemble();
        var renders = cut.RenderCount;

        Poll(Node(1, NodeRole.Down), Node(2, NodeRole.Follower), Node(3, NodeRole.Leader));
        Thread.Sleep(3 * (int)Dashboard.Components.Live.LiveComponentBase.MinimumGap.TotalMilliseconds);
        Assert.Equal(renders, cut.RenderCount);
        Assert.Equal("1", cut.Find("#topology").GetAttribute("data-leader-id"));
    }

    [Fact]
    public void ClusterList_WithSnapshot_ShowsLeaderQuorumAndLinksToEnsemble()
    {
        _store.Record(EnsemblePoller.Assemble(Cluster, DateTimeOffset.UnixEpoch, TimeSpan.Zero, [Node(1, NodeRole.Leader), Node(2, NodeRole.Follower), Node(3, NodeRole.Down)]));
        var cut = _ui.Bunit.Render<ClusterList>();

        Assert.Equal("/clusters/prod/ensemble", cut.Find("tr[data-cluster-id=prod] a").GetAttribute("href"));
        Assert.Equal("node 1", cut.Find("td[data-field=leader]").TextContent.Trim());
        Assert.Equal("2 / 2", cut.Find("td[data-field=quorum]").TextContent.Trim());
        Assert.Contains("down", cut.Find("td[data-field=worst]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterList_ClusterAddedToTheRegistry_AppearsWithoutReload()
    {
        var cut = _ui.Bunit.Render<ClusterList>();
        Assert.Single(cut.FindAll("tr[data-cluster-id]"));

        _registry.Upsert(new ClusterEntry(new ClusterDefinition("sandbox", "Sandbox", "127.0.0.1:2181", ClusterOrigin.Sandbox), ClusterAvailability.Starting));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr[data-cluster-id]").Count), TimeSpan.FromSeconds(5));
        Assert.Equal("Starting", cut.Find("tr[data-cluster-id=sandbox] [data-availability]").GetAttribute("data-availability"));
    }
}
