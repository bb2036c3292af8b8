using System.Diagnostics;
using Dashboard.Core.AdminServer;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Ensemble;

/// <summary>An ensemble that allows only <c>srvr</c> over 4lw: <c>conf</c> is refused and the AdminServer has no membership.</summary>
public sealed class SrvrOnlyEnsemble : IAsyncLifetime
{
    public ZooKeeperSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions
    {
        Voters = 3,
        Observers = 1,
        ExtraConfig = new Dictionary<string, string> { ["4lw.commands.whitelist"] = "srvr" },
    });

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }
}

/// <summary>The membership read from <c>/zookeeper/config</c> when no node gives it over 4lw or the AdminServer.</summary>
[Collection(SoloCollection.Name)]
public sealed class ConfigMembershipTests(SrvrOnlyEnsemble ensemble) : IClassFixture<SrvrOnlyEnsemble>
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Poll_ConfRefused_MembershipFromConfigZnodeComparedAndSessionReused()
    {
        // Digest set: the session authenticates (the config znode is world-readable, so any user reads it).
        var cluster = SandboxCluster.Define(ensemble.Sandbox) with { NodeTimeout = TimeSpan.FromMilliseconds(800), Digest = "dashboard:secret" };
        await using var reader = new ConfigMembershipReader(cluster);
        var poller = new EnsemblePoller(new NodeProbe(new AdminServerClient(Http))) { ConfigMembership = reader };

        var (snapshot, polls, slowest) = await PollUntilMembershipKnownAsync(poller, cluster);
        for (var i = 0; i < EnsemblePoller.ConfEvery + 2; i++)
        {
            var clock = Stopwatch.StartNew();
            snapshot = await poller.PollAsync(cluster);
            slowest = Math.Max(slowest, clock.ElapsedMilliseconds);
        }

        Assert.All(snapshot.Nodes.Where(n => n.IsServing), n => Assert.Contains("conf", n.RefusedCommands));
        var carrier = Assert.Single(snapshot.Nodes, n => !n.Membership.IsDefaultOrEmpty);
        Assert.Equal(reader.Latest!.Server, carrier.Address);
        Assert.Contains(carrier.Notes, note => note.Contains("/zookeeper/config", StringComparison.Ordinal));
        Assert.Equal(4, carrier.Membership.Length);
        Assert.Equal([4], carrier.Membership.Where(m => m.IsObserver).Select(m => m.Id));
        Assert.NotNull(carrier.ConfigVersion);
        Assert.Equal((3, 2, 3, true), (snapshot.Analysis.Voters, snapshot.Analysis.QuorumSize, snapshot.Analysis.VotersUp, snapshot.Analysis.HasQuorum));
        Assert.False(snapshot.Analysis.MembershipDisagrees);
        Assert.Empty(snapshot.Analysis.ConfiguredDifferences);
        Assert.DoesNotContain(snapshot.Findings, f => f.Code is "config-differs" or "membership-disagrees");
        Assert.Null(reader.LastError);
        Assert.Equal(1, reader.SessionsOpened);
        Assert.True(slowest < (cluster.NodeTimeout + TimeSpan.FromMilliseconds(500)).TotalMilliseconds, $"slowest poll {slowest} ms after {polls} polls");
    }

    [Fact]
    public async Task Poll_SettingsListANodeThatIsNoMember_FindingFromConfigZnodeMembership()
    {
        var real = SandboxCluster.Define(ensemble.Sandbox) with { NodeTimeout = TimeSpan.FromMilliseconds(800) };
        var stranger = new NodeDefinition("127.0.0.1", LoopbackPorts.Take(1)[0]) { Id = 9, Datacenter = "loopback" };
        var cluster = real with { Nodes = real.Nodes.Add(stranger) };
        await using var reader = new ConfigMembershipReader(cluster);
        var poller = new EnsemblePoller(new NodeProbe(new AdminServerClient(Http))) { ConfigMembership = reader };

        var (snapshot, _, _) = await PollUntilMembershipKnownAsync(poller, cluster);

        var difference = Assert.Single(snapshot.Analysis.ConfiguredDifferences);
        Assert.Contains("node 9", difference, StringComparison.Ordinal);
        Assert.Contains("not a member", difference, StringComparison.Ordinal);
        Assert.Contains(snapshot.Findings, f => f.Code == "config-differs" && f.Message.Contains("node 9", StringComparison.Ordinal));
        // Node 9 is not a member, so it is no voter: the quorum stays 2 of 3.
        Assert.Equal((3, 2, true), (snapshot.Analysis.Voters, snapshot.Analysis.QuorumSize, snapshot.Analysis.HasQuorum));
    }

    [Fact]
    public async Task Refresh_ConnectedServerKilled_NewSessionReadsTheMembershipAgain()
    {
        var cluster = SandboxCluster.Define(ensemble.Sandbox) with { NodeTimeout = TimeSpan.FromMilliseconds(800) };
        // Only the observer in the connect string: killing it leaves the session nowhere to go.
        var observer = ensemble.Sandbox.Observers.Single();
        var reader = new ConfigMembershipReader(cluster with { ConnectString = observer.ClientAddress });
        await using var _ = reader;
        Assert.NotNull(await reader.RefreshAsync());

        await ensemble.Sandbox.KillNodeAsync(observer.Id);
        try
        {
            var failed = await reader.RefreshAsync();
            Assert.NotNull(reader.LastError);
            Assert.Equal(4, failed!.Members.Length); // the last value stays
        }
        finally
        {
            await ensemble.Sandbox.StartNodeAsync(observer.Id);
            await ensemble.Sandbox.WaitForNodeServingAsync(observer.Id, TimeSpan.FromSeconds(60));
        }

        var again = await reader.RefreshAsync();
        Assert.Null(reader.LastError);
        Assert.Equal(4, again!.Members.Length);
        Assert.Equal(2, reader.SessionsOpened);
    }

    [Fact]
    public void Assemble_ConfigZnodeOfAnUnpolledServerDiffersFromANodesConf_MembershipDisagrees()
    {
        var members = ConfigMembershipReader.Parse("server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\nserver.2=127.0.0.2:2888:3888:participant;127.0.0.2:2181\nserver.3=127.0.0.3:2888:3888:participant;127.0.0.3:2181\nversion=100000000");
        Assert.Equal((3, 0x100000000L), (members.Members.Length, members.ConfigVersion));
        var cluster = new ClusterDefinition("c", "c", "127.0.0.1:2181", ClusterOrigin.Settings);
        var node = new NodeStatus("127.0.0.1", 2181, NodeRole.Leader) { Id = 1, IsVoter = true, Membership = members.Members[..2], ConfigVersion = 0x100000000L };
        var znode = new ConfigZnodeMembership(members.Members, 0x200000000L, "127.0.0.9:2181", DateTimeOffset.UnixEpoch);

        var snapshot = EnsemblePoller.Assemble(cluster, DateTimeOffset.UnixEpoch, TimeSpan.Zero, [node], znode);

        Assert.True(snapshot.Analysis.MembershipDisagrees);
        Assert.True(snapshot.Analysis.ConfigVersionDisagrees);
        Assert.Equal(3, snapshot.Analysis.Voters); // the newest config version is the reference
        Assert.Contains(snapshot.Findings, f => f.Code == "membership-disagrees");
    }

    private static async Task<(EnsembleSnapshot Snapshot, int Polls, long SlowestMs)> PollUntilMembershipKnownAsync(EnsemblePoller poller, ClusterDefinition cluster)
    {
        var deadline = Stopwatch.StartNew();
        var polls = 0;
        long slowest = 0;
        while (true)
        {
            var clock = Stopwatch.StartNew();
            var snapshot = await poller.PollAsync(cluster);
            slowest = Math.Max(slowest, clock.ElapsedMilliseconds);
            polls++;
            if (snapshot.Nodes.Any(n => !n.Membership.IsDefaultOrEmpty)) return (snapshot, polls, slowest);
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), $"no membership after {polls} polls: {poller.ConfigMembership?.LastError}");
            await Task.Delay(200);
        }
    }
}
