using System.Diagnostics;
using System.Text;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Tests.Security;

/// <summary>A 3-voter ensemble with SASL DIGEST-MD5 users in a JAAS file (DigestLoginModule) and the SASL auth provider.</summary>
public sealed class SaslEnsemble : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string> Users = new Dictionary<string, string>
    {
        ["bob"] = "bob-Secret-1", ["alice"] = "alice-Secret-2", ["writer"] = "writer-Secret-3",
    };

    public ZooKeeperSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 0, SaslUsers = Users });

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }

    public static ZooKeeperClientOptions As(string user, string? password = null) =>
        new() { Sasl = new SaslCredentials(user, password ?? Users[user]), RequestTimeout = TimeSpan.FromSeconds(20) };

    /// <summary>kazoo (with pure-sasl), authenticated as <paramref name="user"/>, creates a node readable only by <paramref name="reader"/>.</summary>
    public void CreateWithKazoo(string path, string data, string user, string reader)
    {
        var script = $$"""
            from kazoo.client import KazooClient
            from kazoo.security import ACL, Id, Permissions
            zk = KazooClient(hosts='{{Sandbox.ConnectString}}', timeout=15,
                             sasl_options={'mechanism': 'DIGEST-MD5', 'username': '{{user}}', 'password': '{{Users[user]}}'})
            zk.start(timeout=30)
            zk.create('{{path}}', b'{{data}}', acl=[ACL(Permissions.READ, Id('sasl', '{{reader}}')), ACL(Permissions.ALL, Id('sasl', '{{user}}'))])
            zk.stop()
            """;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-");
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(90_000), "kazoo did not finish within 90 s");
        Assert.True(process.ExitCode == 0, $"kazoo failed: {error.Result}");
    }
}

/// <summary>Our DIGEST-MD5 client in the session handshake against real ZooKeeper 3.8 servers; nodes written by kazoo.</summary>
public sealed class SaslTests(SaslEnsemble ensemble) : IClassFixture<SaslEnsemble>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private ZooKeeperSandbox Sandbox => ensemble.Sandbox;

    [Fact]
    public async Task SaslAcl_ReadableByTheRightIdentityOnly()
    {
        var path = $"/sasl-{Guid.NewGuid():N}";
        ensemble.CreateWithKazoo(path, "for bob", user: "writer", reader: "bob");

        await using (var bob = await ZooKeeperClient.ConnectAsync(Sandbox.ConnectString, SaslEnsemble.As("bob")))
        {
            Assert.Equal("for bob", Encoding.UTF8.GetString((await bob.GetDataAsync(path)).Data));
            // bob may read, not write (READ only in the ACL kazoo set).
            await Assert.ThrowsAsync<NoAuthException>(() => bob.SetDataAsync(path, "no"u8.ToArray()));
        }
        await using (var alice = await ZooKeeperClient.ConnectAsync(Sandbox.ConnectString, SaslEnsemble.As("alice")))
            await Assert.ThrowsAsync<NoAuthException>(() => alice.GetDataAsync(path));
        await using (var anonymous = await ZooKeeperClient.ConnectAsync(Sandbox.ConnectString))
            await Assert.ThrowsAsync<NoAuthException>(() => anonymous.GetDataAsync(path));
        // The digest scheme is no way around it: a digest identity "bob" is not the SASL identity bob.
        await using var digest = await ZooKeeperClient.ConnectAsync(Sandbox.ConnectString);
        await digest.AddDigestAuthAsync("bob", SaslEnsemble.Users["bob"]);
        await Assert.ThrowsAsync<NoAuthException>(() => digest.GetDataAsync(path));
    }

    [Fact]
    public async Task WrongPassword_RefusedClearly_WithoutReconnecting_AndWithoutThePassword()
    {
        var wrong = "not-bobs-password-7";
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<SaslAuthenticationException>(() => ZooKeeperClient.ConnectAsync(Sandbox.ConnectString, SaslEnsemble.As("bob", wrong)));
        Assert.Contains("'bob' was refused", e.Message, StringComparison.Ordinal);
        Assert.Contains("wrong user name or password", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, e.ToString(), StringComparison.Ordinal);
        Assert.Equal(ErrorCode.AuthFailed, e.Code);
        // Not after the connect timeout of a reconnect loop: at the first refusal.
        Assert.True(clock.Elapsed < SaslEnsemble.As("bob").RequestTimeout, $"took {clock.Elapsed}");

        var unknown = await Assert.ThrowsAsync<SaslAuthenticationException>(() => ZooKeeperClient.ConnectAsync(Sandbox.ConnectString, SaslEnsemble.As("mallory", "whatever")));
        Assert.Contains("'mallory' was refused", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnect_ReAuthenticates_SoTheSaslAclStillReads()
    {
        var path = $"/sasl-reconnect-{Guid.NewGuid():N}";
        ensemble.CreateWithKazoo(path, "still bob", user: "writer", reader: "bob");
        var leader = await Sandbox.FindLeaderAsync() ?? throw new InvalidOperationException("no leader");
        var first = Sandbox.Voters.First(n => n.Id != leader.Id);
        var order = string.Join(',', [first.ClientAddress, .. Sandbox.Nodes.Where(n => n.Id != first.Id).Select(n => n.ClientAddress)]);

        await using var bob = await ZooKeeperClient.ConnectAsync(order, SaslEnsemble.As("bob") with { ShuffleHosts = false, SessionTimeout = TimeSpan.FromSeconds(8) });
        Assert.Equal(first.ClientAddress, bob.ConnectedServer);
        Assert.Equal("still bob", Encoding.UTF8.GetString((await bob.GetDataAsync(path)).Data));
        var sessionId = bob.SessionId;
        try
        {
            await Sandbox.KillNodeAsync(first.Id);
            var deadline = DateTime.UtcNow + Patience;
            while (bob.State != SessionState.Connected || bob.ConnectedServer == first.ClientAddress)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no reconnect within {Patience}: {bob.LastConnectionError?.Message}");
                await Task.Delay(100);
            }
            Assert.Equal(sessionId, bob.SessionId);
            // SASL identities belong to a connection: this read passes only because the new one authenticated again.
            Assert.Equal("still bob", Encoding.UTF8.GetString((await bob.GetDataAsync(path)).Data));
        }
        finally
        {
            await Sandbox.StartNodeAsync(first.Id);
            await Sandbox.WaitForNodeServingAsync(first.Id, Sandbox.Options.StartTimeout);
        }
    }
}
