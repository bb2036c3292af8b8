using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;

namespace Dashboard.Tests.Ensemble;

public sealed class QuorumAnalysisTests
{
    // "L" leader, "F" follower, "O" observer, "D" down voter, "d" down observer, "N" not-serving voter.
    private static List<NodeStatus> Nodes(string roles) => roles.Select((c, i) => new NodeStatus("10.0.0." + (i + 1), 2181, c switch
    {
        'L' => NodeRole.Leader,
        'F' => NodeRole.Follower,
        'O' => NodeRole.Observer,
        'N' => NodeRole.NotServing,
        _ => NodeRole.Down,
    }) { Id = i + 1, IsVoter = c is not ('O' or 'd') }).ToList();

    [Theory]
    [InlineData("LFF", 3, 2, 3, true, 1)]
    [InlineData("LFD", 3, 2, 2, true, 0)]
    [InlineData("LDD", 3, 2, 1, false, 0)]
    [InlineData("LFFF", 4, 3, 4, true, 1)]
    [InlineData("LFFFF", 5, 3, 5, true, 2)]
    [InlineData("LFFDD", 5, 3, 3, true, 0)]
    [InlineData("LFFOO", 3, 2, 3, true, 1)]
    [InlineData("LFDdO", 3, 2, 2, true, 0)]
    [InlineData("NNF", 3, 2, 1, false, 0)]
    [InlineData("FFF", 3, 2, 3, false, 0)]
    public void Analyze_RoleMix_GivesQuorumArithmetic(string roles, int voters, int quorum, int up, bool hasQuorum, int tolerated)
    {
        var analysis = QuorumAnalysis.Analyze(Nodes(roles));

        Assert.Equal(voters, analysis.Voters);
        Assert.Equal(quorum, analysis.QuorumSize);
        Assert.Equal(up, analysis.VotersUp);
        Assert.Equal(hasQuorum, analysis.HasQuorum);
        Assert.Equal(tolerated, analysis.FailuresTolerated);
    }

    [Theory]
    [InlineData("LFF", "TTT")]
    [InlineData("LFD", "FFT")]
    [InlineData("LFFOO", "TTTTT")]
    [InlineData("LFDO", "FFTT")]
    [InlineData("LFFFF", "TTTTT")]
    public void Analyze_EachNode_SaysWhetherItCanBeTakenDown(string roles, string expected)
    {
        var analysis = QuorumAnalysis.Analyze(Nodes(roles));
        Assert.Equal(expected, string.Concat(analysis.Nodes.Select(n => n.CanTakeDown ? 'T' : 'F')));
    }

    [Fact]
    public void Analyze_ObserverNeverCountedAsVoter()
    {
        var analysis = QuorumAnalysis.Analyze(Nodes("LFFOOOO"));
        Assert.Equal(3, analysis.Voters);
        Assert.Contains("observer", analysis.Nodes[3].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_TwoLeaders_IsFlaggedAndCritical()
    {
        var nodes = Nodes("LFL");
        var analysis = QuorumAnalysis.Analyze(nodes);
        var findings = EnsembleHealth.Evaluate(nodes, analysis);

        Assert.True(analysis.HasTwoLeaders);
        Assert.Contains(findings, f => f is { Code: "two-leaders", Severity: FindingSeverity.Critical });
    }

    [Fact]
    public void Analyze_MembershipAndVersionDiffer_AreFlagged()
    {
        var a = new EnsembleMember(1, "h1", 2888, 3888, false, null, 2181);
        var b = new EnsembleMember(2, "h2", 2888, 3888, false, null, 2181);
        var c = new EnsembleMember(3, "h3", 2888, 3888, false, null, 2181);
        var nodes = Nodes("LFF");
        nodes[0] = nodes[0] with { Membership = [a, b, c], ConfigVersion = 0x200000000 };
        nodes[1] = nodes[1] with { Membership = [a, b, c], ConfigVersion = 0x200000000 };
        nodes[2] = nodes[2] with { Membership = [a, b], ConfigVersion = 0x100000000 };

        var analysis = QuorumAnalysis.Analyze(nodes);

        Assert.True(analysis.MembershipDisagrees);
        Assert.True(analysis.ConfigVersionDisagrees);
    }

    [Fact]
    public void Analyze_MembershipDiffersFromSettings_ListsEachDifference()
    {
        var members = new[]
        {
            new EnsembleMember(1, "h1", 2888, 3888, false, null, 2181),
            new EnsembleMember(2, "h2", 2888, 3888, true, null, 2181),
            new EnsembleMember(5, "h5", 2888, 3888, false, null, 2181),
        };
        var nodes = Nodes("LF").Select(n => n with { Membership = [.. members] }).ToList();
        NodeDefinition[] configured =
        [
            new("h1", 2181) { Id = 1, IsObserver = false },
            new("h2", 2181) { Id = 2, IsObserver = false },
            new("h3", 2181) { Id = 3, IsObserver = false },
        ];

        var differences = QuorumAnalysis.Analyze(nodes, configured).ConfiguredDifferences;

        Assert.Equal(3, differences.Length);
        Assert.Contains(differences, d => d.Contains("server.2 is an observer in the ensemble but a voter", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.Contains("server.5", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.Contains("node 3", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("LFFF", "even-voters")]
    [InlineData("LF", "few-voters")]
    [InlineData("LFD", "node-down")]
    [InlineData("LDD", "quorum-lost")]
    [InlineData("NNN", "no-leader")]
    [InlineData("LFN", "node-not-serving")]
    public void Health_OperationalGuidance_ProducesFinding(string roles, string code)
    {
        var nodes = Nodes(roles);
        Assert.Contains(EnsembleHealth.Evaluate(nodes, QuorumAnalysis.Analyze(nodes)), f => f.Code == code);
    }

    [Fact]
    public void Health_HealthyThreeVoters_HasNoWarning()
    {
        var nodes = Nodes("LFFO");
        nodes[0] = nodes[0] with { SyncedFollowers = 2, SyncedObservers = 1, Version = "3.8.0-x, built on" };
        Assert.DoesNotContain(EnsembleHealth.Evaluate(nodes, QuorumAnalysis.Analyze(nodes)), f => f.Severity >= FindingSeverity.Warning);
    }

    [Fact]
    public void Health_LeaderSyncedBelowFollowers_WarnsNotSynced()
    {
        var nodes = Nodes("LFF");
        nodes[0] = nodes[0] with { SyncedFollowers = 1 };
        var finding = Assert.Single(EnsembleHealth.Evaluate(nodes, QuorumAnalysis.Analyze(nodes)), f => f.Code == "followers-not-synced");
        Assert.Contains("1 of 2", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Health_ThresholdsAndVersions_ProduceFindings()
    {
        var nodes = Nodes("LFF");
        nodes[0] = nodes[0] with { LatencyAvgMs = 250, Version = "3.8.0-a, built on x" };
        nodes[1] = nodes[1] with { Outstanding = 50, OpenFileDescriptors = 900, MaxFileDescriptors = 1000, Version = "3.7.1-b, built on y" };
        nodes[2] = nodes[2] with { RefusedCommands = ["mntr", "conf"] };

        var codes = EnsembleHealth.Evaluate(nodes, QuorumAnalysis.Analyze(nodes), new HealthThresholds { AverageLatencyMs = 200 }).Select(f => f.Code).ToList();

        Assert.Contains("latency-high", codes);
        Assert.Contains("outstanding-high", codes);
        Assert.Contains("fds-high", codes);
        Assert.Contains("mixed-versions", codes);
        Assert.Contains("whitelist-blocks", codes);
    }

    [Fact]
    public void Health_SixVotersInOneDatacenter_WarnsTooMany()
    {
        var nodes = Nodes("LFFFFFF").Select(n => n with { Datacenter = "eu" }).ToList();
        Assert.Contains(EnsembleHealth.Evaluate(nodes, QuorumAnalysis.Analyze(nodes)), f => f.Code == "too-many-voters");
    }

    [Fact]
    public void Events_LeaderKilled_GivesDownLeaderChangedAndKeepsQuorum()
    {
        var cluster = new ClusterDefinition("c", "C", "x", ClusterOrigin.Settings);
        var before = EnsemblePoller.Assemble(cluster, DateTimeOffset.UnixEpoch, TimeSpan.Zero, Nodes("LFF"));
        var afterNodes = Nodes("DLF");
        var after = EnsemblePoller.Assemble(cluster, DateTimeOffset.UnixEpoch.AddSeconds(2), TimeSpan.Zero, afterNodes);

        var kinds = EnsembleEvent.Between(before, after).Select(e => e.Kind).ToList();

        Assert.Contains(EnsembleEventKind.NodeDown, kinds);
        Assert.Contains(EnsembleEventKind.LeaderChanged, kinds);
        Assert.DoesNotContain(EnsembleEventKind.QuorumLost, kinds);
    }

    [Fact]
    public void Events_SecondVoterLost_GivesQuorumLost()
    {
        var cluster = new ClusterDefinition("c", "C", "x", ClusterOrigin.Settings);
        var before = EnsemblePoller.Assemble(cluster, DateTimeOffset.UnixEpoch, TimeSpan.Zero, Nodes("LFD"));
        var after = EnsemblePoller.Assemble(cluster, DateTimeOffset.UnixEpoch, TimeSpan.Zero, Nodes("NDD"));

        Assert.Contains(EnsembleEvent.Between(before, after), e => e.Kind == EnsembleEventKind.QuorumLost);
    }
}
