using System.Diagnostics;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Tests.Security;

/// <summary>
/// One local KDC (Debian's krb5-kdc) and a 3-voter ensemble whose servers log in as zookeeper/localhost with a
/// keytab, shared by every Kerberos test: the GSSAPI library reads one krb5.conf per process, so the whole test
/// process uses this realm. A machine without the KDC packages fails here, naming them, instead of passing.
/// </summary>
public sealed class KerberosEnsemble : IAsyncLifetime
{
    public const string Collection = "kerberos";

    /// <summary>dashboard reads; writer writes ACL'd nodes (with kazoo); alice is a stranger; stale and offline are for refusals; reuse and shortlived for the ticket cache.</summary>
    public static readonly string[] Principals = ["dashboard", "writer", "alice", "stale", "offline", "reuse", "shortlived"];

    public ZooKeeperSandbox Sandbox { get; private set; } = null!;
    public SandboxKdc Kdc => Sandbox.Kerberos!;

    /// <summary>Every node as <c>localhost:port</c>: the servers' principal is zookeeper/localhost, and kazoo names the host it was given.</summary>
    public string LocalhostConnectString => string.Join(',', Sandbox.Nodes.Select(n => $"localhost:{n.ClientPort}"));

    public async Task InitializeAsync()
    {
        Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions
        {
            Voters = 3, Observers = 0,
            Kerberos = new SandboxKerberosOptions { ClientPrincipals = Principals },
        });
    }

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }

    public SaslCredentials Credentials(string name, string? keytab = null) => SaslCredentials.Kerberos(Kdc.Principal(name), keytab ?? Kdc.Keytab(name), Kdc.Krb5Config);

    // The first Kerberos handshake of a cold server JVM (its GSS acceptor, a KDC round trip) can take seconds on a loaded machine.
    public ZooKeeperClientOptions As(string name, string? keytab = null) =>
        new() { Sasl = Credentials(name, keytab), RequestTimeout = TimeSpan.FromSeconds(20), ConnectTimeout = TimeSpan.FromSeconds(15) };

    /// <summary>
    /// kazoo (pure-sasl over python3-kerberos, i.e. MIT's GSSAPI) authenticated as <paramref name="user"/> with a
    /// ticket kinit got from its keytab, creates a node readable only by <paramref name="reader"/>.
    /// </summary>
    public void CreateWithKazoo(string path, string data, string user, string reader)
    {
        var cache = Path.Combine(Kdc.Directory, $"kazoo-{user}.ccache");
        var environment = new Dictionary<string, string> { ["KRB5_CONFIG"] = Kdc.Krb5Config, ["KRB5CCNAME"] = "FILE:" + cache };
        Run("/usr/bin/kinit", ["-k", "-t", Kdc.Keytab(user), Kdc.Principal(user)], environment, null);
        var script = $$"""
            from kazoo.client import KazooClient
            from kazoo.security import ACL, Id, Permissions
            zk = KazooClient(hosts='{{LocalhostConnectString}}', timeout=15, sasl_options={'mechanism': 'GSSAPI', 'service': 'zookeeper'})
            zk.start(timeout=30)
            zk.create('{{path}}', b'{{data}}', acl=[ACL(Permissions.READ, Id('sasl', '{{Kdc.Principal(reader)}}')), ACL(Permissions.ALL, Id('sasl', '{{Kdc.Principal(user)}}'))])
            zk.stop()
            """;
        Run("/usr/bin/python3", ["-"], environment, script);
    }

    private static void Run(string program, string[] arguments, Dictionary<string, string> environment, string? input)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Write(input ?? "");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(90_000), $"{program} did not finish within 90 s");
        Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {error.Result} {output.Result}");
    }
}

[CollectionDefinition(KerberosEnsemble.Collection)]
public sealed class KerberosCollection : ICollectionFixture<KerberosEnsemble>;
