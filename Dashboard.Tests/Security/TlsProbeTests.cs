using Dashboard.Core.AdminServer;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Tests.Security;

/// <summary>Four-letter words over the secure client port and the AdminServer over HTTPS, checked against the cluster's CA.</summary>
public sealed class TlsProbeTests(TlsEnsemble ensemble) : IClassFixture<TlsEnsemble>
{
    private ZooKeeperSandbox Sandbox => ensemble.Sandbox;

    [Fact]
    public async Task FourLetterWordOverTls_Answers_AndAWrongCaIsNamed()
    {
        var node = Sandbox.Nodes[0];
        var srvr = SrvrResponse.Parse(await FourLetterWordClient.SendAsync(node.Host, node.SecureClientPort, "srvr", TimeSpan.FromSeconds(10), ensemble.Tls()));
        Assert.True(srvr.IsServing);

        var other = ensemble.Tls(o => o with { CaBundle = TestCertificates.OtherCa(Path.Combine(Sandbox.Directory, "probe-other-ca")) });
        var e = await Assert.ThrowsAsync<FourLetterWordException>(() => FourLetterWordClient.SendAsync(node.Host, node.SecureClientPort, "srvr", TimeSpan.FromSeconds(10), other));
        Assert.Contains("is not signed by a CA in the CA bundle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminServerOverHttps_AnswersWithTheClusterCa_RefusedWithAnother()
    {
        var node = Sandbox.Nodes[0];
        Assert.Equal("https", node.AdminUri.Scheme);
        using var plainHttp = new HttpClient();
        var admin = new AdminServerClient(plainHttp);
        var monitor = await admin.GetAsync(node.AdminUri, "monitor", TimeSpan.FromSeconds(10), ensemble.Tls());
        Assert.True(monitor.IsOk, monitor.Error);
        Assert.True(monitor.Body.TryGetProperty("server_state", out _));

        // Without the cluster's CA the default client does not trust the sandbox's certificate.
        await Assert.ThrowsAsync<AdminServerException>(() => admin.GetAsync(node.AdminUri, "monitor", TimeSpan.FromSeconds(10)));
        var other = ensemble.Tls(o => o with { CaBundle = TestCertificates.OtherCa(Path.Combine(Sandbox.Directory, "admin-other-ca")) });
        var e = await Assert.ThrowsAsync<AdminServerException>(() => admin.GetAsync(node.AdminUri, "monitor", TimeSpan.FromSeconds(10), other));
        Assert.Contains("is not signed by a CA in the CA bundle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsemblePoller_OnTheSandboxAsACluster_SeesEveryNodeOverTls()
    {
        var cluster = SandboxCluster.Define(Sandbox);
        Assert.NotNull(cluster.Tls);
        Assert.All(cluster.Nodes, n => Assert.Contains(Sandbox.Nodes, s => s.SecureClientPort == n.ClientPort));
        using var http = new HttpClient();
        var poller = new EnsemblePoller(new NodeProbe(new AdminServerClient(http)));
        var snapshot = await poller.PollAsync(cluster with { NodeTimeout = TimeSpan.FromSeconds(10) });
        Assert.All(snapshot.Nodes, n => Assert.True(n.Role is NodeRole.Leader or NodeRole.Follower, $"{n.Host}:{n.ClientPort} {n.Role} {n.Error}"));
        Assert.Equal(1, snapshot.Nodes.Count(n => n.Role == NodeRole.Leader));

        // The membership reader opens its session with the cluster's TLS too.
        await using var reader = new ConfigMembershipReader(cluster with { NodeTimeout = TimeSpan.FromSeconds(10) });
        var membership = await reader.RefreshAsync();
        Assert.Equal(3, membership!.Members.Length);
    }

    [Fact]
    public void ClusterSettings_WithTls_LoadTheFiles_AndNameABadSetting()
    {
        var files = Sandbox.Tls!;
        var good = ClusterDefinition.FromOptions(new ClusterOptions
        {
            Name = "secure", ConnectString = Sandbox.SecureConnectString,
            Tls = new ClusterTlsOptions { CaBundle = files.CaCertificate, ClientCertificate = files.ClientCertificate, ClientKey = files.ClientKey, MinimumVersion = "TLSv1.2" },
        }, 0);
        Assert.True(good.Tls!.HasClientCertificate);
        Assert.Same(good.Tls, good.ClientOptions().Tls);

        var bad = Assert.Throws<ClusterConfigurationException>(() => ClusterDefinition.FromOptions(new ClusterOptions
        {
            Name = "secure", ConnectString = Sandbox.SecureConnectString, Tls = new ClusterTlsOptions { CaBundle = files.CaCertificate, MinimumVersion = "SSLv3" },
        }, 2));
        Assert.Contains("Dashboard:Clusters:2:Tls:MinimumVersion", bad.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ClusterConfigurationException>(() => ClusterDefinition.FromOptions(new ClusterOptions
        {
            Name = "secure", ConnectString = Sandbox.SecureConnectString, Tls = new ClusterTlsOptions { CaBundle = "/nope/ca.pem" },
        }, 1));
        Assert.Contains("Dashboard:Clusters:1:Tls:CaBundle", missing.Message, StringComparison.Ordinal);
    }
}
