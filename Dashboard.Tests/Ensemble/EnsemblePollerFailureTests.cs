using System.Diagnostics;
using Dashboard.Core.AdminServer;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Ensemble;

/// <summary>
/// Polls while nodes of an own sandbox are frozen and killed (the shared ensemble must stay intact). Runs alone:
/// when sandboxes start in parallel, two can be handed the same loopback port, and then a node we freeze is not
/// the process that answers on its port (seen once: a "frozen" node answered srvr).
/// </summary>
[Collection(SoloCollection.Name)]
public sealed class EnsemblePollerFailureTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private ZooKeeperSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1 });

    public async Task DisposeAsync()
    {
        if (_sandbox is not null) await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Poll_FrozenNodeThenKilledLeader_TimesOutAloneThenReportsNewLeader()
    {
        var cluster = SandboxCluster.Define(_sandbox) with { NodeTimeout = TimeSpan.FromMilliseconds(800) };
        var poller = new EnsemblePoller(new NodeProbe(new AdminServerClient(Http)));
        var healthy = await poller.PollAsync(cluster);
        var frozen = healthy.Nodes.First(n => n.Role == NodeRole.Follower).Id!.Value;

        // A frozen node: its port accepts connections but nothing answers.
        await _sandbox.FreezeNodeAsync(frozen);
        var clock = Stopwatch.StartNew();
        var withFrozen = await poller.PollAsync(cluster);
        clock.Stop();
        await _sandbox.UnfreezeNodeAsync(frozen);

        var stuck = withFrozen.Nodes.Single(n => n.Id == frozen);
        Assert.True(stuck.Role == NodeRole.Down, $"frozen {stuck.Label} answered as {stuck.Role} in {stuck.ResponseTime.TotalMilliseconds} ms via {stuck.Source} (pid {_sandbox.Node(frozen).ProcessId}, state {_sandbox.Node(frozen).State})");
        Assert.True(stuck.TimedOut);
        Assert.True(clock.Elapsed < cluster.NodeTimeout + TimeSpan.FromMilliseconds(500), $"poll took {clock.ElapsedMilliseconds} ms");
        Assert.All(withFrozen.Nodes.Where(n => n.Id != frozen), n =>
        {
            Assert.True(n.IsServing, $"{n.Label}: {n.Error}");
            Assert.True(n.ResponseTime < TimeSpan.FromMilliseconds(400), $"{n.Label} took {n.ResponseTime.TotalMilliseconds} ms");
        });
        Assert.Equal(2, withFrozen.Analysis.VotersUp);

        // Kill the leader: a new one is elected among the two remaining voters, never the observer.
        await _sandbox.WaitForNodeServingAsync(frozen, TimeSpan.FromSeconds(30));
        var before = await poller.PollAsync(cluster);
        var oldLeader = before.Leader!.Id!.Value;
        await _sandbox.KillNodeAsync(oldLeader);

        EnsembleSnapshot after = before;
        var events = new List<EnsembleEvent>();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var next = await poller.PollAsync(cluster);
            events.AddRange(EnsembleEvent.Between(after, next));
            after = next;
            if (after.Leader is { } l && l.Id != oldLeader) break;
            await Task.Delay(250);
        }

        Assert.NotNull(after.Leader);
        Assert.NotEqual(oldLeader, after.Leader!.Id);
        Assert.NotEqual(4, after.Leader.Id);
        Assert.Equal(NodeRole.Down, after.Nodes.Single(n => n.Id == oldLeader).Role);
        Assert.Contains(events, e => e.Kind == EnsembleEventKind.NodeDown && e.NodeId == oldLeader);
        Assert.Contains(events, e => e.Kind == EnsembleEventKind.LeaderChanged && e.NodeId == after.Leader.Id);
        Assert.Equal((3, 2, true, 0), (after.Analysis.Voters, after.Analysis.VotersUp, after.Analysis.HasQuorum, after.Analysis.FailuresTolerated));
        Assert.All(after.Analysis.Nodes.Where(v => v.IsVoter && v.Id != oldLeader), v => Assert.False(v.CanTakeDown));
        Assert.True(after.Analysis.Nodes.Single(v => v.Id == 4).CanTakeDown);
        Assert.Contains(after.Findings, f => f.Code == "node-down" && f.NodeId == oldLeader);
    }
}
