using System.Text.Json;
using Dashboard.Core.Ensemble;
using Dashboard.Core.FourLetterWords;
using static Dashboard.Tests.Support.CapturedOutput;

namespace Dashboard.Tests.FourLetterWords;

/// <summary>Parsers against answers captured from a real 3.8 ensemble (TestData/zk38).</summary>
public sealed class CapturedAnswerParsingTests
{
    [Fact]
    public void Srvr_Leader_ReadsModeZxidLatencyAndCounts()
    {
        var srvr = SrvrResponse.Parse(Read("node3.srvr.txt"));

        Assert.True(srvr.IsServing);
        Assert.Equal(ServerMode.Leader, srvr.Mode);
        Assert.StartsWith("3.8.0", srvr.Version, StringComparison.Ordinal);
        Assert.Equal(new Zxid(0x100000000), new Zxid(srvr.Zxid!.Value));
        Assert.Equal(1, new Zxid(srvr.Zxid.Value).Epoch);
        Assert.Equal(0, new Zxid(srvr.Zxid.Value).Counter);
        Assert.Equal(5, srvr.NodeCount);
        Assert.Equal(0.0, srvr.LatencyAvg);
        Assert.Equal(0, srvr.Outstanding);
    }

    [Theory]
    [InlineData("node1.stat.txt", ServerMode.Follower)]
    [InlineData("node4.srvr.txt", ServerMode.Observer)]
    [InlineData("whitelist.srvr.txt", ServerMode.Standalone)]
    public void SrvrOrStat_RealAnswer_ReadsMode(string file, ServerMode expected)
    {
        Assert.Equal(expected, SrvrResponse.Parse(Read(file)).Mode);
    }

    [Theory]
    [InlineData("notserving.node1.srvr.txt")]
    [InlineData("notserving.node1.stat.txt")]
    [InlineData("notserving.node4.srvr.txt")]
    public void Srvr_NotServing_IsNotServingAndNotRefused(string file)
    {
        var srvr = SrvrResponse.Parse(Read(file));
        Assert.False(srvr.IsServing);
        Assert.False(srvr.WhitelistRefused);
        Assert.True(FourLetterWordText.IsNotServing(Read(file)));
    }

    [Theory]
    [InlineData("whitelist.mntr.txt")]
    [InlineData("whitelist.conf.txt")]
    [InlineData("whitelist.stat.txt")]
    [InlineData("whitelist.ruok.txt")]
    [InlineData("whitelist.isro.txt")]
    public void AnyWord_RefusedByWhitelist_IsRecognised(string file)
    {
        var text = Read(file);
        Assert.True(FourLetterWordText.IsWhitelistRefusal(text));
        Assert.False(FourLetterWordText.IsNotServing(text));
    }

    [Fact]
    public void Mntr_Leader_ReadsSyncedFollowersLearnersAndFileDescriptors()
    {
        var mntr = MntrResponse.Parse(Read("node3.mntr.txt"));

        Assert.True(mntr.IsServing);
        Assert.Equal("leader", mntr.ServerState);
        Assert.Equal("leading - broadcast", mntr.PeerState);
        Assert.Equal(3, mntr.Learners);
        Assert.Equal(2, mntr.SyncedFollowers);
        Assert.Equal(1, mntr.SyncedObservers);
        Assert.Equal(113, mntr.OpenFileDescriptors);
        Assert.Equal(20000, mntr.MaxFileDescriptors);
        Assert.Equal(294, mntr.ApproximateDataSize);
        Assert.True(mntr.Values.Count > 300, "3.8 reports hundreds of keys; all are kept");
        Assert.NotNull(mntr.Uptime);
    }

    [Fact]
    public void Mntr_Version35FollowersKey_CountsAsLearners()
    {
        // 3.4/3.5 name the leader's learner count zk_followers (from the documented format).
        var mntr = MntrResponse.Parse("zk_version\t3.5.9-1, built on 01/01/2021\nzk_server_state\tleader\nzk_followers\t4\nzk_synced_followers\t2\n");
        Assert.Equal(4, mntr.Learners);
        Assert.Equal(2, mntr.SyncedFollowers);
    }

    [Theory]
    [InlineData("notserving.node1.mntr.txt", false)]
    [InlineData("whitelist.mntr.txt", true)]
    public void Mntr_RefusalOrNotServing_HasNoValues(string file, bool refused)
    {
        var mntr = MntrResponse.Parse(Read(file));
        Assert.False(mntr.IsServing);
        Assert.Equal(refused, mntr.WhitelistRefused);
        Assert.Empty(mntr.Values);
    }

    [Fact]
    public void Conf_Follower_ReadsServerIdPeerTypeMembershipAndVersion()
    {
        var conf = ConfResponse.Parse(Read("node1.conf.txt"));

        Assert.Equal(1, conf.ServerId);
        Assert.False(conf.IsObserver);
        Assert.Equal(4, conf.Members.Length);
        Assert.Equal([1, 2, 3], conf.Members.Where(m => m.IsVoter).Select(m => m.Id));
        Assert.True(conf.Members.Single(m => m.Id == 4).IsObserver);
        Assert.Equal(0x100000000, conf.ConfigVersion);
        Assert.NotNull(conf.Members[0].ClientPort);
    }

    [Fact]
    public void Conf_Observer_SaysPeerTypeObserver()
    {
        Assert.True(ConfResponse.Parse(Read("node4.conf.txt")).IsObserver);
    }

    [Fact]
    public void Conf_WithoutClientPartIpv6AndMultiAddress_ReadsEveryMember()
    {
        // The documented traps: no ';client' part (static client port), IPv6 in brackets, '|'-joined addresses.
        var conf = ConfResponse.Parse("""
            clientPort=2181
            serverId=2
            peerType=0
            membership: 
            server.1=zk1.example:2888:3888:participant
            server.2=[2001:db8::2]:2888:3888:participant;[2001:db8::2]:2181
            server.3=10.0.0.3:2888:3888|10.1.0.3:2888:3888:participant;0.0.0.0:2181
            server.4=10.0.0.4:2888:3888:observer;2181
            version=1a00000003
            """);

        Assert.Equal(4, conf.Members.Length);
        Assert.Null(conf.Members[0].ClientPort);
        Assert.Equal("2001:db8::2", conf.Members[1].Host);
        Assert.Equal("2001:db8::2", conf.Members[1].ClientHost);
        Assert.Equal(["10.1.0.3"], conf.Members[2].ExtraHosts);
        Assert.Equal("10.0.0.3", conf.Members[2].ClientAddressHost);
        Assert.True(conf.Members[3].IsObserver);
        Assert.Equal(2181, conf.Members[3].ClientPort);
        Assert.Equal(0x1a00000003, conf.ConfigVersion);
    }

    [Theory]
    [InlineData("node1.isro.txt", ReadOnlyState.ReadWrite)]
    [InlineData("notserving.node1.isro.txt", ReadOnlyState.NotServing)]
    [InlineData("whitelist.isro.txt", ReadOnlyState.Refused)]
    public void Isro_RealAnswers_AreRead(string file, ReadOnlyState expected)
    {
        Assert.Equal(expected, SimpleAnswers.ParseIsro(Read(file)));
    }

    [Fact]
    public void Ruok_AnswersImOkEvenWithoutQuorum()
    {
        Assert.True(SimpleAnswers.IsImOk(Read("node1.ruok.txt")));
        Assert.True(SimpleAnswers.IsImOk(Read("notserving.node1.ruok.txt")));
        Assert.False(SimpleAnswers.IsImOk(Read("whitelist.ruok.txt")));
    }

    [Fact]
    public void AdminMonitor_Follower_MapsToMntrKeys()
    {
        using var json = JsonDocument.Parse(Read("node1.admin.monitor.json"));
        var mntr = MntrResponse.FromAdminMonitor(json.RootElement);

        Assert.Equal("follower", mntr.ServerState);
        Assert.Equal(5, mntr.ZnodeCount);
        Assert.Equal(20000, mntr.MaxFileDescriptors);
        Assert.Null(mntr.Get("zk_command"));
    }

    [Fact]
    public void Conf_Version34WithoutMembership_HasSettingsButNoMembers()
    {
        // 3.4 has no dynamic config: conf ends after the settings (documented format).
        var conf = ConfResponse.Parse("clientPort=2181\ndataDir=/var/lib/zookeeper/version-2\ntickTime=2000\nmaxClientCnxns=60\nserverId=3\ninitLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=3888\nquorumPort=2888\npeerType=0\n");

        Assert.True(conf.IsServing);
        Assert.Equal(3, conf.ServerId);
        Assert.Equal(2181, conf.ClientPort);
        Assert.Empty(conf.Members);
        Assert.Null(conf.ConfigVersion);
    }

    [Fact]
    public void Srvr_Version34ReadOnlyMode_IsReadOnly()
    {
        var srvr = SrvrResponse.Parse("Zookeeper version: 3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf, built on 03/06/2019 16:18 GMT\nREAD-ONLY mode; serving only read-only clients\nLatency min/avg/max: 0/1/12\nReceived: 10\nSent: 9\nConnections: 2\nOutstanding: 0\nZxid: 0x30000001a\nMode: read-only\nNode count: 42\n");

        Assert.True(srvr.ReadOnly);
        Assert.Equal(ServerMode.ReadOnly, srvr.Mode);
        Assert.Equal(12, srvr.LatencyMax);
        Assert.Equal(3, new Zxid(srvr.Zxid!.Value).Epoch);
        Assert.Equal(0x1a, new Zxid(srvr.Zxid.Value).Counter);
    }
}
