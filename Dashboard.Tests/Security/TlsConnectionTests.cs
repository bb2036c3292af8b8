using System.Collections.Concurrent;
using System.Text;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Tests.Security;

/// <summary>Our client over TLS against real ZooKeeper 3.8 secure client ports (Netty, certificates made by openssl).</summary>
public sealed class TlsConnectionTests(TlsEnsemble ensemble) : IClassFixture<TlsEnsemble>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private ZooKeeperSandbox Sandbox => ensemble.Sandbox;

    [Fact]
    public async Task OverTls_ReadsWhatAPlainClientWrote_AndHearsItsWatch()
    {
        var path = $"/tls-{Guid.NewGuid():N}";
        await using var plain = await ZooKeeperClient.ConnectAsync(Sandbox.ConnectString);
        await plain.CreateAsync(path, Encoding.UTF8.GetBytes("written in the clear"));

        await using var secure = await ZooKeeperClient.ConnectAsync(Sandbox.SecureConnectString, ensemble.ClientOptions(ensemble.Tls()));
        Assert.Contains(secure.ConnectedServer!, Sandbox.SecureConnectString, StringComparison.Ordinal);
        var changed = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var data = await secure.GetDataAsync(path, e => changed.TrySetResult(e));
        Assert.Equal("written in the clear", Encoding.UTF8.GetString(data.Data));

        await plain.SetDataAsync(path, Encoding.UTF8.GetBytes("changed"));
        var seen = await changed.Task.WaitAsync(Patience);
        Assert.Equal(WatchEventType.NodeDataChanged, seen.Type);
        Assert.Equal("changed", Encoding.UTF8.GetString((await secure.GetDataAsync(path)).Data));
        // A bulk read crosses several TLS records per reply batch.
        var reads = await secure.MultiReadAsync(Enumerable.Range(0, 200).Select(_ => (ReadOperation)new GetDataRead(path)));
        Assert.All(reads, r => Assert.Equal("changed", Encoding.UTF8.GetString(Assert.IsType<DataReadResult>(r).Data)));
    }

    [Fact]
    public async Task ServerKilled_SessionResumesOnAnotherServerOverTls_WatchSurvives()
    {
        var leader = await Sandbox.FindLeaderAsync() ?? throw new InvalidOperationException("no leader");
        var first = Sandbox.Voters.First(n => n.Id != leader.Id);
        var order = string.Join(',', [first.SecureClientAddress, .. Sandbox.Nodes.Where(n => n.Id != first.Id).Select(n => n.SecureClientAddress)]);
        var path = $"/tls-failover-{Guid.NewGuid():N}";
        await using var plain = await ZooKeeperClient.ConnectAsync(string.Join(',', Sandbox.Nodes.Where(n => n.Id != first.Id).Select(n => n.ClientAddress)));
        await plain.CreateAsync(path, Array.Empty<byte>());

        await using var secure = await ZooKeeperClient.ConnectAsync(order, ensemble.ClientOptions(ensemble.Tls()) with { ShuffleHosts = false, SessionTimeout = TimeSpan.FromSeconds(8) });
        Assert.Equal(first.SecureClientAddress, secure.ConnectedServer);
        var sessionId = secure.SessionId;
        var deleted = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await secure.ExistsAsync(path, e => deleted.TrySetResult(e));
        try
        {
            await Sandbox.KillNodeAsync(first.Id);
            var deadline = DateTime.UtcNow + Patience;
            while (secure.State != SessionState.Connected || secure.ConnectedServer == first.SecureClientAddress)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no reconnect over TLS within {Patience}: {secure.LastConnectionError?.Message}");
                await Task.Delay(100);
            }
            Assert.Equal(sessionId, secure.SessionId);
            Assert.True(secure.Connections >= 2);
            await plain.DeleteAsync(path);
            Assert.Equal(WatchEventType.NodeDeleted, (await deleted.Task.WaitAsync(Patience)).Type);
        }
        finally
        {
            await Sandbox.StartNodeAsync(first.Id);
            await Sandbox.WaitForNodeServingAsync(first.Id, Sandbox.Options.StartTimeout);
        }
    }

    [Fact]
    public async Task CaBundleOfAnotherCa_Refused_SayingTheCertificateIsNotSignedByTheBundle()
    {
        var other = TestCertificates.OtherCa(Path.Combine(Sandbox.Directory, "test-other-ca"));
        var tls = ensemble.Tls(o => o with { CaBundle = other });
        var e = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => ZooKeeperClient.ConnectAsync(Sandbox.SecureConnectString, ensemble.ClientOptions(tls)));
        Assert.Contains("is not signed by a CA in the CA bundle", e.Message, StringComparison.Ordinal);
        Assert.Contains(other, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PinnedHostName_NotOnTheCertificate_Refused_AndHostCheckOffConnects()
    {
        var pinned = ensemble.Tls(o => o with { ServerHostName = "zk.example.test" });
        var e = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => ZooKeeperClient.ConnectAsync(Sandbox.SecureConnectString, ensemble.ClientOptions(pinned)));
        Assert.Contains("not for 'zk.example.test'", e.Message, StringComparison.Ordinal);
        Assert.Contains("localhost", e.Message, StringComparison.Ordinal);

        // The name "localhost" is on the certificate, so pinning it works while connecting to 127.0.0.1.
        await using var pinnedRight = await ZooKeeperClient.ConnectAsync(Sandbox.SecureConnectString, ensemble.ClientOptions(ensemble.Tls(o => o with { ServerHostName = "localhost" })));
        Assert.NotNull(await pinnedRight.ExistsAsync("/zookeeper"));
    }

    [Fact]
    public async Task PlainClientOnTheSecurePort_FailsWithinTheTimeout_AndTlsClientOnThePlainPortNamesTheHandshake()
    {
        var e = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => ZooKeeperClient.ConnectAsync(Sandbox.ConnectString, ensemble.ClientOptions(ensemble.Tls())));
        Assert.Contains("TLS handshake with", e.Message, StringComparison.Ordinal);
    }
}
