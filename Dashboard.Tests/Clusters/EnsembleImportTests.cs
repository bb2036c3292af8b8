using Dashboard.Core.Clusters;

namespace Dashboard.Tests.Clusters;

public sealed class EnsembleImportTests
{
    [Fact]
    public void ConnectString_WithChrootIpv6AndDefaultPort_GivesEachHost()
    {
        var nodes = EnsembleImport.FromConnectString("zk1:2181,zk2,[::1]:2182/kafka");

        Assert.Equal(["zk1:2181", "zk2:2181", "[::1]:2182"], nodes.Select(n => n.Address));
        Assert.All(nodes, n => Assert.Null(n.Id));
    }

    [Theory]
    [InlineData("zk1:21x1", "not a number")]
    [InlineData("zk1:2181,,zk2:2181", "empty host")]
    [InlineData("::1:2181", "brackets")]
    public void ConnectString_Bad_SaysWhatIsWrong(string text, string expected)
    {
        var error = Assert.Throws<EnsembleImportException>(() => EnsembleImport.FromConnectString(text));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZooCfg_MixedForms_UsesClientPortLineWhenPartMissing()
    {
        var nodes = EnsembleImport.FromServerConfig("""
            tickTime=2000
            clientPort=2181
            # comment
            server.1=10.0.0.1:2888:3888
            server.2=[2001:db8::2]:2888:3888:participant;[2001:db8::2]:2182
            server.3=10.0.0.3:2888:3888|10.1.0.3:2888:3888;2183
            server.7=10.0.1.7:2888:3888:observer;0.0.0.0:2181
            """);

        Assert.Equal([1, 2, 3, 7], nodes.Select(n => n.Id!.Value));
        Assert.Equal(["10.0.0.1:2181", "[2001:db8::2]:2182", "10.0.0.3:2183", "10.0.1.7:2181"], nodes.Select(n => n.Address));
        Assert.Equal([false, false, false, true], nodes.Select(n => n.IsObserver!.Value));
    }

    [Theory]
    [InlineData("clientPort=2181\nserver.1=a:2888:3888\nserver.x=b:2888:3888", 3, "server id")]
    [InlineData("server.1=a:2888", 1, "host:quorumPort:electionPort")]
    [InlineData("clientPort=2181\n\nserver.1=a:2888:3888:voter", 3, "neither participant nor observer")]
    [InlineData("server.1=a:2888:3888", 1, "no ';clientPort' part")]
    [InlineData("clientPort=1\nserver.1=a:2888:3888\nserver.1=b:2888:3888", 3, "already defined on line 2")]
    [InlineData("server.1=a:2888:99999;2181", 1, "port")]
    public void ZooCfg_BadLine_ErrorNamesLine(string text, int line, string expected)
    {
        var error = Assert.Throws<EnsembleImportException>(() => EnsembleImport.FromServerConfig(text));
        Assert.Equal(line, error.LineNumber);
        Assert.StartsWith($"line {line}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZkHosts_WithObserverAndClientHosts_NumbersInOrderAndLabelsDatacenter()
    {
        var nodes = EnsembleImport.FromDeploymentFile("""
            # deployment
            export ZK_HOSTS="10.0.0.1 10.0.0.2 10.0.0.3 10.0.1.7:observer"
            ZK_CLIENT_HOSTS="10.0.0.1 10.0.0.2 10.0.0.3"
            """);

        Assert.Equal([1, 2, 3, 4], nodes.Select(n => n.Id!.Value));
        Assert.Equal([false, false, false, true], nodes.Select(n => n.IsObserver!.Value));
        Assert.Equal(["local", "local", "local", "other"], nodes.Select(n => n.Datacenter));
        Assert.All(nodes, n => Assert.Equal(2181, n.ClientPort));
    }

    [Fact]
    public void ZkHosts_ClientHostNotListed_FailsOnZkHostsLine()
    {
        var error = Assert.Throws<EnsembleImportException>(() => EnsembleImport.FromDeploymentFile("ZK_CLIENT_HOSTS=\"10.9.9.9\"\nZK_HOSTS=\"10.0.0.1\""));
        Assert.Equal(2, error.LineNumber);
        Assert.Contains("10.9.9.9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_PollIntervalBelowMinimum_FailsWithSettingName()
    {
        var options = new ClusterOptions { Name = "a", ConnectString = "zk1:2181", PollInterval = TimeSpan.FromMilliseconds(100) };
        var error = Assert.Throws<ClusterConfigurationException>(() => ClusterDefinition.FromOptions(options, 3));
        Assert.Contains("Dashboard:Clusters:3:PollInterval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_NodesWithAdminPortAndDatacenter_AreCarriedIntoDefinition()
    {
        var options = new ClusterOptions
        {
            Name = "Payments", ServerConfig = "server.1=zk1:2888:3888;2181\nserver.2=zk2:2888:3888:observer;2181", AdminPort = 8080, Datacenter = "eu-1",
        };

        var cluster = ClusterDefinition.FromOptions(options, 0);

        Assert.Equal("zk1:2181,zk2:2181", cluster.ConnectString);
        Assert.Equal(new Uri("http://zk2:8080/commands"), cluster.Nodes[1].AdminUri);
        Assert.True(cluster.Nodes[1].IsObserver);
        Assert.All(cluster.Nodes, n => Assert.Equal("eu-1", n.Datacenter));
        Assert.Equal(ClusterDefinition.DefaultPollInterval, cluster.PollInterval);
    }

    [Fact]
    public void Options_BadServerConfig_ErrorNamesClusterAndLine()
    {
        var options = new ClusterOptions { Name = "a", ServerConfig = "server.1=zk1:2888:3888;2181\nserver.2=zk2" };
        var error = Assert.Throws<ClusterConfigurationException>(() => ClusterDefinition.FromOptions(options, 0));
        Assert.Contains("Dashboard:Clusters:0 ('a'): line 2:", error.Message, StringComparison.Ordinal);
    }
}
