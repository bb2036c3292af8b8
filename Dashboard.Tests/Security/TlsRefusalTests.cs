using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Tests.Security;

/// <summary>
/// Servers whose certificate or TLS policy should make our client refuse or be refused: each on a one-node
/// ensemble of its own, with certificates openssl made for it.
/// </summary>
public sealed class TlsRefusalTests
{
    private static async Task<ZooKeeperSandbox> StartAsync(SandboxTlsOptions tls) =>
        await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 1, Observers = 0, Tls = tls });

    private static ZooKeeperClientOptions Options(ZooKeeperTlsOptions tls) =>
        new() { Tls = ZooKeeperTls.Load(tls), RequestTimeout = TimeSpan.FromSeconds(20), ConnectTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task CertificateForAnotherHost_Refused_NamingTheNamesItCarries_UnlessPinnedOrUnchecked()
    {
        await using var sandbox = await StartAsync(new SandboxTlsOptions { ServerNames = ["zk-other.example.test"] });
        var tls = new ZooKeeperTlsOptions { CaBundle = sandbox.Tls!.CaCertificate };

        var e = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => ZooKeeperClient.ConnectAsync(sandbox.SecureConnectString, Options(tls)));
        Assert.Contains("is for zk-other.example.test, not for '127.0.0.1'", e.Message, StringComparison.Ordinal);

        await using (var pinned = await ZooKeeperClient.ConnectAsync(sandbox.SecureConnectString, Options(tls with { ServerHostName = "zk-other.example.test" })))
            Assert.NotNull(await pinned.ExistsAsync("/zookeeper"));
        await using (var unchecked_ = await ZooKeeperClient.ConnectAsync(sandbox.SecureConnectString, Options(tls with { VerifyHostName = false })))
            Assert.NotNull(await unchecked_.ExistsAsync("/zookeeper"));
    }

    [Fact]
    public async Task ExpiredCertificate_Refused_SayingWhenItExpired()
    {
        await using var sandbox = await StartAsync(new SandboxTlsOptions { ExpiredServerCertificate = true });
        var tls = new ZooKeeperTlsOptions { CaBundle = sandbox.Tls!.CaCertificate };

        var e = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => ZooKeeperClient.ConnectAsync(sandbox.SecureConnectString, Options(tls)));
        Assert.Contains("expired on 2020-02-01", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerRequiringClientCertificates_AcceptsOurs_RefusesNone_WithAHint()
    {
        await using var sandbox = await StartAsync(new SandboxTlsOptions { RequireClientCertificate = true });
        var files = sandbox.Tls!;
        var withCert = new ZooKeeperTlsOptions { CaBundle = files.CaCertificate, ClientCertificate = files.ClientCertificate, ClientKey = files.ClientKey };

        await using (var client = await ZooKeeperClient.ConnectAsync(sandbox.SecureConnectString, Options(withCert)))
        {
            await client.CreateAsync($"/mtls-{Guid.NewGuid():N}", "ok"u8.ToArray());
            Assert.Equal(SessionState.Connected, client.State);
        }

        var without = withCert with { ClientCertificate = null, ClientKey = null };
        var e = await Assert.ThrowsAsync<ZooKeeperTlsException>(() => ZooKeeperClient.ConnectAsync(sandbox.SecureConnectString, Options(without)));
        Assert.Contains("set ClientCertificate and ClientKey", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSettings_NameTheSetting()
    {
        var missing = Assert.Throws<ZooKeeperSecurityConfigurationException>(() => ZooKeeperTls.Load(new ZooKeeperTlsOptions { CaBundle = "/nonexistent/ca.pem" }, "Dashboard:Clusters:0:Tls"));
        Assert.Contains("Dashboard:Clusters:0:Tls:CaBundle", missing.Message, StringComparison.Ordinal);
        var half = Assert.Throws<ZooKeeperSecurityConfigurationException>(() => ZooKeeperTls.Load(new ZooKeeperTlsOptions { ClientCertificate = "/etc/hostname" }, "T"));
        Assert.Contains("T:ClientKey is missing", half.Message, StringComparison.Ordinal);
        var notPem = Assert.Throws<ZooKeeperSecurityConfigurationException>(() => ZooKeeperTls.Load(new ZooKeeperTlsOptions { CaBundle = "/etc/hostname" }, "T"));
        Assert.Contains("T:CaBundle", notPem.Message, StringComparison.Ordinal);
    }
}
