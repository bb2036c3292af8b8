using System.Collections.Immutable;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.Membership;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Tests.Membership;

/// <summary>The planner's judgement on views as the reader produces them (the real-ensemble chain covers reading them).</summary>
public sealed class MembershipPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly ClusterDefinition Cluster = new("prod", "prod", "zk1:2181", ClusterOrigin.Settings) { SettingsIndex = 2 };

    private static MembershipView View(int voters, int observers, ReconfigAvailability reconfig = ReconfigAvailability.Enabled, string datacenter = "dc1",
        params ServerState[] extra)
    {
        var members = Enumerable.Range(1, voters + observers)
            .Select(i => new EnsembleMember(i, $"10.0.0.{i}", 2888, 3888, i > voters, null, 2181)).ToImmutableArray();
        var leaderZxid = new Zxid((5L << 32) + 10_000);
        var servers = members.Select(m => new ServerState(m.Id, m.Host, 2181)
        {
            IsMember = true, IsVoter = m.IsVoter, Serving = true, Mode = m.Id == 1 ? ServerMode.Leader : m.IsVoter ? ServerMode.Follower : ServerMode.Observer,
            Zxid = leaderZxid, ConfigVersion = 0x500000001, Datacenter = datacenter,
        }).Concat(extra).ToImmutableArray();
        return new MembershipView("prod", members, 0x500000001, servers, Now)
        {
            LeaderId = 1, SyncedFollowers = voters - 1, Reconfig = reconfig,
            ConfigAcl = [new ZooKeeperAcl(Permissions.Read, "world", "anyone")],
        };
    }

    private static ServerState Joiner(int id, long behind, bool serving = true) => new(id, $"10.0.1.{id}", 2181)
    {
        Serving = serving, Mode = serving ? ServerMode.Follower : null, Zxid = new Zxid((5L << 32) + 10_000 - behind), Error = serving ? null : "connection refused",
    };

    private static MembershipChange AddVoter(int id) => MembershipChange.Add(id, $"10.0.1.{id}", 2888, 3888, 2181, asVoter: true);

    [Fact]
    public void AddVoter_CaughtUp_TwoStepsObserverThenVoterWithQuorums()
    {
        var plan = MembershipPlanner.Plan(Cluster, View(3, 0, extra: Joiner(4, behind: 3)), AddVoter(4) with { Acknowledgement = "4 voters" }, null, Now);

        Assert.True(plan.CanStart, string.Join("; ", plan.Refusals));
        Assert.Collection(plan.Steps,
            s => { Assert.Equal(MembershipChangeKind.AddObserver, s.Kind); Assert.Equal("server.4=10.0.1.4:2888:3888:observer;10.0.1.4:2181", s.Joining); Assert.Equal(2, s.QuorumAfter); },
            s => { Assert.Equal(MembershipChangeKind.Promote, s.Kind); Assert.Equal([1, 2, 3, 4], s.VotersAfter.ToArray()); Assert.Equal(3, s.QuorumAfter); });
        Assert.Contains("observer first", plan.Shape, StringComparison.Ordinal);
        Assert.Equal(0x500000001, plan.FromConfigVersion);
        Assert.Contains("server.4=10.0.1.4:2888:3888:participant;10.0.1.4:2181", plan.ConfigAfter);
    }

    [Fact]
    public void AddVoter_FarBehindOrNotSyncing_RefusedAsNotCaughtUp()
    {
        var behind = MembershipPlanner.Plan(Cluster, View(3, 0, extra: Joiner(4, behind: 5_000)), AddVoter(4) with { Acknowledgement = "4 voters" }, null, Now);
        var refusal = Assert.Single(behind.Refusals);
        Assert.Equal(MembershipRules.CaughtUp, refusal.Rule);
        Assert.Contains("5000 transactions behind the leader", refusal.Detail, StringComparison.Ordinal);

        var down = MembershipPlanner.Plan(Cluster, View(3, 0, extra: Joiner(4, 0, serving: false)), MembershipChange.Add(4, "10.0.1.4", 2888, 3888, 2181, asVoter: false), null, Now);
        Assert.Contains(down.Refusals, r => r.Rule == MembershipRules.CaughtUp && r.Detail.Contains("connection refused", StringComparison.Ordinal));
    }

    [Fact]
    public void ReconfigDisabled_RefusedWithTheSettingAndTheRollingRestartAlternative()
    {
        var plan = MembershipPlanner.Plan(Cluster, View(3, 1, ReconfigAvailability.Disabled), MembershipChange.Remove(4), null, Now);

        Assert.Equal(MembershipRules.ReconfigEnabled, Assert.Single(plan.Refusals).Rule);
        Assert.Contains(plan.Advice, a => a.Contains("'reconfigEnabled=true'", StringComparison.Ordinal));
        Assert.Contains(plan.Advice, a => a.StartsWith("Without reconfig", StringComparison.Ordinal) && a.Contains("rolling restart", StringComparison.Ordinal)
                                          && !a.Contains("server.4=", StringComparison.Ordinal) && a.Contains("server.3=10.0.0.3:2888:3888:participant;10.0.0.3:2181", StringComparison.Ordinal));
        // The ACL of /zookeeper/config (world: read only) is named with the superDigest and the setting to use it.
        Assert.Contains(plan.Advice, a => a.Contains("superDigest", StringComparison.Ordinal) && a.Contains("Dashboard:Clusters:2:Digest=super:password", StringComparison.Ordinal));
    }

    [Fact]
    public void DemoteOrRemove_WhenVotersDownOrMajorityLeaves_Refused()
    {
        var view = View(5, 0);
        view = view with { Servers = view.Servers.SetItem(4, view.Servers[4] with { Serving = false, Mode = null, Error = "timed out" }) };
        var plan = MembershipPlanner.Plan(Cluster, view, MembershipChange.Demote(2) with { Acknowledgement = "4 voters" }, null, Now);
        Assert.Contains(plan.Refusals, r => r.Rule == MembershipRules.VotersServing && r.Detail.Contains("server.5", StringComparison.Ordinal));

        var majority = MembershipPlanner.Plan(Cluster, View(5, 0), MembershipChange.Remove(2, 3, 4), null, Now);
        Assert.Contains(majority.Refusals, r => r.Rule == MembershipRules.MajorityKept);
        Assert.Contains(majority.Refusals, r => r.Rule == MembershipRules.MinimumVoters && r.ToPass!.Contains("'2 voters'", StringComparison.Ordinal));
    }

    [Fact]
    public void SixthVoterInOneDatacenter_RefusedAndOneChangeAtATime()
    {
        var plan = MembershipPlanner.Plan(Cluster, View(5, 1), MembershipChange.Promote(6) with { Acknowledgement = "6 voters" }, "run-abc", Now);
        Assert.Contains(plan.Refusals, r => r.Rule == MembershipRules.VotersPerDatacenter && r.Detail.Contains("dc1 would hold 6 voters", StringComparison.Ordinal));
        Assert.Contains(plan.Refusals, r => r.Rule == MembershipRules.OneChangeInFlight && r.Detail.Contains("run-abc", StringComparison.Ordinal));
    }

    [Fact]
    public void FollowedMembership_SettingsDiffer_FindingOnTheEnsembleWithLinesToWrite()
    {
        var settings = Cluster with { Nodes = [new NodeDefinition("10.0.0.1", 2181) { Id = 1 }, new NodeDefinition("10.0.0.2", 2181) { Id = 2 }, new NodeDefinition("10.0.0.3", 2181) { Id = 3, IsObserver = false }] };
        var followed = MembershipSettings.Follow(settings, View(3, 1).Members, "dc2");

        var snapshot = EnsemblePoller.Assemble(followed, Now, TimeSpan.Zero, []);
        var finding = Assert.Single(snapshot.Findings, f => f.Code == MembershipSettings.FindingCode);
        Assert.Contains("server.4 (10.0.0.4:2181) is a member but not in the settings", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Clusters:2:Nodes:3:Address=10.0.0.4:2181", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Clusters:2:Nodes:3:Observer=true", finding.Message, StringComparison.Ordinal);
        Assert.Equal(4, followed.Nodes.Length);
        Assert.Equal("zk1:2181", followed.ConnectString); // written by hand in the settings: kept
        Assert.Empty(MembershipSettings.Findings(settings));
    }
}
