using System.Diagnostics;
using System.Text;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Tests.Security;

/// <summary>Our GSSAPI client (MIT's libgssapi_krb5) in the session handshake against real ZooKeeper 3.8 servers and a local KDC; nodes written by kazoo.</summary>
[Collection(KerberosEnsemble.Collection)]
public sealed class KerberosTests(KerberosEnsemble ensemble, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SaslAcl_ReadableByTheRightPrincipalOnly()
    {
        var path = $"/krb-{Guid.NewGuid():N}";
        ensemble.CreateWithKazoo(path, "for dashboard", user: "writer", reader: "dashboard");

        await using (var dashboard = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As("dashboard")))
        {
            Assert.Equal(SessionState.Connected, dashboard.State);
            Assert.Equal("for dashboard", Encoding.UTF8.GetString((await dashboard.GetDataAsync(path)).Data));
            // READ only in the ACL kazoo set: the identity is the principal, and only what the ACL grants it.
            await Assert.ThrowsAsync<NoAuthException>(() => dashboard.SetDataAsync(path, "no"u8.ToArray()));
        }
        await using (var writer = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As("writer")))
            await writer.SetDataAsync(path, "by writer"u8.ToArray());
        await using (var alice = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As("alice")))
            await Assert.ThrowsAsync<NoAuthException>(() => alice.GetDataAsync(path));
        await using var anonymous = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await Assert.ThrowsAsync<NoAuthException>(() => anonymous.GetDataAsync(path));
    }

    [Fact]
    public async Task StaleKeytab_RefusedClearly_WithoutReconnecting()
    {
        // A keytab exported before the principal got a new key holds a key the KDC no longer accepts.
        var stale = Path.Combine(ensemble.Kdc.Directory, $"stale-{Guid.NewGuid():N}.keytab");
        File.Copy(ensemble.Kdc.Keytab("stale"), stale);
        ensemble.Kdc.ExportKeytab("stale", ensemble.Kdc.Keytab("stale"));

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<SaslAuthenticationException>(() => ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As("stale", stale)));
        output.WriteLine(e.Message);
        Assert.Equal(ErrorCode.AuthFailed, e.Code);
        Assert.True(e.Message.Contains($"'{ensemble.Kdc.Principal("stale")}'", StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains("not the principal's current key", StringComparison.Ordinal), e.Message);
        Assert.True(clock.Elapsed < ensemble.As("stale").RequestTimeout, $"took {clock.Elapsed}");

        // The fresh keytab works: the refusal was the key, not the principal.
        await using var fresh = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As("stale"));
        Assert.Equal(SessionState.Connected, fresh.State);
    }

    [Fact]
    public async Task KeytabWithoutThePrincipal_OrMissing_RefusedClearly()
    {
        var other = await Assert.ThrowsAsync<SaslAuthenticationException>(() => ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As("alice", ensemble.Kdc.Keytab("dashboard"))));
        output.WriteLine(other.Message);
        Assert.True(other.Message.Contains("the keytab has no key for this principal", StringComparison.Ordinal), other.Message);

        var missing = Path.Combine(ensemble.Kdc.Directory, "no-such.keytab");
        var absent = await Assert.ThrowsAsync<SaslAuthenticationException>(() => ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As("alice", missing)));
        output.WriteLine(absent.Message);
        Assert.True(absent.Message.Contains($"the keytab '{missing}' does not exist", StringComparison.Ordinal), absent.Message);
    }

    [Fact]
    public async Task Tickets_AreReusedFromMemory_AndRenewedFromTheKeytabOnceExpired()
    {
        int Issued(string name) => File.ReadLines(ensemble.Kdc.LogPath).Count(l => l.Contains("AS_REQ", StringComparison.Ordinal) && l.Contains("ISSUE", StringComparison.Ordinal) && l.Contains(ensemble.Kdc.Principal(name) + " ", StringComparison.Ordinal));
        async Task ConnectAs(string name)
        {
            await using var client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As(name));
            Assert.Equal(SessionState.Connected, client.State);
        }

        // Sessions within a ticket's life use the cached ticket: no new request to the KDC.
        await ConnectAs("reuse");
        var initial = Issued("reuse");
        await ConnectAs("reuse");
        await ConnectAs("reuse");
        output.WriteLine($"reuse: {initial} then {Issued("reuse")}");
        Assert.True(initial >= 1, "the KDC logged no ticket for the first session");
        Assert.True(initial == Issued("reuse"), File.ReadAllText(ensemble.Kdc.LogPath));

        var life = TimeSpan.FromSeconds(10);
        ensemble.Kdc.SetMaximumTicketLife("shortlived", life);
        var clock = Stopwatch.StartNew();
        await ConnectAs("shortlived");
        var first = Issued("shortlived");
        // The ticket's end is a point in time: waiting for it is the condition itself.
        var rest = life + TimeSpan.FromSeconds(2) - clock.Elapsed;
        if (rest > TimeSpan.Zero) await Task.Delay(rest);
        await ConnectAs("shortlived");
        output.WriteLine($"shortlived: {first} then {Issued("shortlived")}");
        Assert.True(Issued("shortlived") > first, "no new ticket from the keytab after the first expired");
    }

    [Fact]
    public async Task UnknownServerPrincipal_RefusedClearly()
    {
        var options = ensemble.As("dashboard");
        var wrongHost = options with { Sasl = new SaslCredentials(ensemble.Kdc.Principal("dashboard"), "", SaslMechanism.Gssapi) { Keytab = ensemble.Kdc.Keytab("dashboard"), Krb5Config = ensemble.Kdc.Krb5Config, ServerHostName = "zk-elsewhere" } };
        var e = await Assert.ThrowsAsync<SaslAuthenticationException>(() => ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, wrongHost));
        output.WriteLine(e.Message);
        Assert.True(e.Message.Contains("zookeeper/zk-elsewhere", StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains("not found in Kerberos database", StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains("Sasl:ServerHostName", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task KdcDown_IsAnAuthFailureNamingTheKdc_ThenWorksWhenItIsBack()
    {
        ensemble.Kdc.Stop();
        try
        {
            // "offline" has no ticket yet, so it needs the KDC.
            var e = await Assert.ThrowsAsync<SaslAuthenticationException>(() => ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As("offline")));
            output.WriteLine(e.Message);
            Assert.True(e.Message.Contains("Cannot contact any KDC", StringComparison.Ordinal), e.Message);
            Assert.True(e.Message.Contains("is the KDC in krb5.conf's [realms] running", StringComparison.Ordinal), e.Message);
        }
        finally
        {
            ensemble.Kdc.Restart(Patience);
        }
        await using var back = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, ensemble.As("offline"));
        Assert.Equal(SessionState.Connected, back.State);
    }

    [Fact]
    public async Task Reconnect_ReAuthenticates_SoTheSaslAclStillReads()
    {
        var path = $"/krb-reconnect-{Guid.NewGuid():N}";
        ensemble.CreateWithKazoo(path, "still dashboard", user: "writer", reader: "dashboard");
        var sandbox = ensemble.Sandbox;
        var leader = await sandbox.FindLeaderAsync() ?? throw new InvalidOperationException("no leader");
        var first = sandbox.Voters.First(n => n.Id != leader.Id);
        var order = string.Join(',', [first.ClientAddress, .. sandbox.Nodes.Where(n => n.Id != first.Id).Select(n => n.ClientAddress)]);

        await using var client = await ZooKeeperClient.ConnectAsync(order, ensemble.As("dashboard") with { ShuffleHosts = false, SessionTimeout = TimeSpan.FromSeconds(8) });
        Assert.Equal(first.ClientAddress, client.ConnectedServer);
        Assert.Equal("still dashboard", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));
        var sessionId = client.SessionId;
        try
        {
            await sandbox.KillNodeAsync(first.Id);
            var deadline = DateTime.UtcNow + Patience;
            while (client.State != SessionState.Connected || client.ConnectedServer == first.ClientAddress)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no reconnect within {Patience}: {client.LastConnectionError?.Message}");
                await Task.Delay(100);
            }
            Assert.Equal(sessionId, client.SessionId);
            // SASL identities belong to a connection: this read passes only because the new one authenticated again.
            Assert.Equal("still dashboard", Encoding.UTF8.GetString((await client.GetDataAsync(path)).Data));
        }
        finally
        {
            await sandbox.StartNodeAsync(first.Id);
            await sandbox.WaitForNodeServingAsync(first.Id, sandbox.Options.StartTimeout);
        }
    }
}
