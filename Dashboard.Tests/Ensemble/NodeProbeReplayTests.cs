using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Tests.Support;
using static Dashboard.Tests.Support.CapturedOutput;

namespace Dashboard.Tests.Ensemble;

/// <summary>The probe against loopback listeners replaying captured answers: refusals and not-serving, end to end.</summary>
public sealed class NodeProbeReplayTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Probe_WhitelistAllowsOnlySrvr_UsesSrvrAndReportsRefusedCommands()
    {
        await using var server = new ReplayingServer(new Dictionary<string, string>
        {
            ["srvr"] = Read("whitelist.srvr.txt"), ["mntr"] = Read("whitelist.mntr.txt"), ["conf"] = Read("whitelist.conf.txt"),
        });

        var node = await new NodeProbe(null).ProbeAsync(new NodeDefinition("127.0.0.1", server.Port), Timeout);

        Assert.Equal(NodeRole.Standalone, node.Role);
        Assert.Equal(["mntr", "conf"], node.RefusedCommands.ToArray());
        Assert.Equal(5, node.ZnodeCount);
        Assert.Null(node.Error);
        var analysis = QuorumAnalysis.Analyze([node]);
        var finding = Assert.Single(EnsembleHealth.Evaluate([node], analysis), f => f.Code == "whitelist-blocks");
        Assert.Contains(EnsembleHealth.WhitelistFix, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_NotServing_IsNotServingWithReason()
    {
        await using var server = new ReplayingServer(new Dictionary<string, string>
        {
            ["srvr"] = Read("notserving.node1.srvr.txt"), ["mntr"] = Read("notserving.node1.mntr.txt"), ["conf"] = Read("notserving.node1.conf.txt"),
        });

        var node = await new NodeProbe(null).ProbeAsync(new NodeDefinition("127.0.0.1", server.Port) { Id = 1, IsObserver = false }, Timeout);

        Assert.Equal(NodeRole.NotServing, node.Role);
        Assert.Contains("not currently serving", node.Error, StringComparison.Ordinal);
        Assert.True(node.IsVoter);
        Assert.Empty(node.RefusedCommands);
    }

    [Fact]
    public async Task Probe_Follower_ReadsRoleMembershipAndFileDescriptors()
    {
        await using var server = new ReplayingServer(new Dictionary<string, string>
        {
            ["srvr"] = Read("node2.srvr.txt"), ["mntr"] = Read("node2.mntr.txt"), ["conf"] = Read("node2.conf.txt"),
        });

        var node = await new NodeProbe(null).ProbeAsync(new NodeDefinition("127.0.0.1", server.Port), Timeout);

        Assert.Equal(NodeRole.Follower, node.Role);
        Assert.Equal(2, node.Id);
        Assert.True(node.IsVoter);
        Assert.Equal(4, node.Membership.Length);
        Assert.Equal(0x100000000, node.ConfigVersion);
        Assert.NotNull(node.OpenFileDescriptors);
        Assert.Equal(ProbeSource.FourLetterWords, node.Source);
    }
}
