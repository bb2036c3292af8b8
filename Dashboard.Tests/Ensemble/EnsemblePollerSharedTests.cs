using Dashboard.Core.AdminServer;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Ensemble;

/// <summary>Read-only polls of the shared real ensemble (3 voters + 1 observer).</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class EnsemblePollerSharedTests(SharedEnsemble ensemble)
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Poll_HealthyEnsemble_OneLeaderTwoFollowersOneObserverWithQuorum()
    {
        var poller = new EnsemblePoller(new NodeProbe(new AdminServerClient(Http)));
        var snapshot = await poller.PollAsync(SandboxCluster.Define(ensemble.Sandbox));

        Assert.Equal(1, snapshot.Nodes.Count(n => n.Role == NodeRole.Leader));
        Assert.Equal(2, snapshot.Nodes.Count(n => n.Role == NodeRole.Follower));
        var observer = Assert.Single(snapshot.Nodes, n => n.Role == NodeRole.Observer);
        Assert.False(observer.IsVoter);
        Assert.Equal(4, observer.Id);
        Assert.Equal((3, 2, 3, true, 1), (snapshot.Analysis.Voters, snapshot.Analysis.QuorumSize, snapshot.Analysis.VotersUp, snapshot.Analysis.HasQuorum, snapshot.Analysis.FailuresTolerated));
        var leader = snapshot.Leader!;
        Assert.Equal(2, leader.SyncedFollowers);
        Assert.Equal(1, leader.SyncedObservers);
        Assert.All(snapshot.Nodes, n =>
        {
            Assert.Null(n.Error);
            Assert.NotNull(n.Zxid);
            // A follower reports Zxid 0x0 until the first write of the new epoch: then the lag is not comparable (null).
            Assert.True(n.ZxidLag is null or 0, $"{n.Label} lag {n.ZxidLag}");
            Assert.Equal(4, n.Membership.Length);
            Assert.NotNull(n.ZnodeCount);
            Assert.NotNull(n.OpenFileDescriptors);
            Assert.StartsWith("3.8", n.Version, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(snapshot.Findings, f => f.Severity >= FindingSeverity.Warning);
        Assert.Empty(snapshot.Analysis.ConfiguredDifferences);
    }

    [Fact]
    public async Task Poll_FourLetterWordPortClosed_FallsBackToAdminServer()
    {
        var real = SandboxCluster.Define(ensemble.Sandbox);
        var closedPort = LoopbackPorts.Take(1)[0];
        var leaderNode = (await ensemble.Sandbox.FindLeaderAsync())!;
        var cluster = real with
        {
            Nodes = [new NodeDefinition("127.0.0.1", closedPort) { AdminUri = leaderNode.AdminUri }],
        };

        var snapshot = await new EnsemblePoller(new NodeProbe(new AdminServerClient(Http))).PollAsync(cluster);

        var node = Assert.Single(snapshot.Nodes);
        Assert.Equal(ProbeSource.AdminServer, node.Source);
        Assert.Equal(NodeRole.Leader, node.Role);
        Assert.Equal(leaderNode.Id, node.Id);
        Assert.Equal(2, node.SyncedFollowers);
    }

    [Fact]
    public async Task AdminServer_UnknownCommand_ComesBackWithErrorNotException()
    {
        var result = await new AdminServerClient(Http).GetAsync(ensemble.Sandbox.Nodes[0].AdminUri, "nosuch", TimeSpan.FromSeconds(2));
        Assert.False(result.IsOk);
        Assert.Contains("Unknown command", result.Error, StringComparison.Ordinal);
    }
}
