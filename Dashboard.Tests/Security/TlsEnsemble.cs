using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Tests.Security;

/// <summary>A 3-voter ensemble with TLS on a secure client port per node (plain ports stay open for a second client).</summary>
public sealed class TlsEnsemble : IAsyncLifetime
{
    public ZooKeeperSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 0, Tls = new SandboxTlsOptions() });

    public async Task DisposeAsync()
    {
        if (Sandbox is not null) await Sandbox.DisposeAsync();
    }

    public ZooKeeperTls Tls(Func<ZooKeeperTlsOptions, ZooKeeperTlsOptions>? change = null)
    {
        var options = new ZooKeeperTlsOptions { CaBundle = Sandbox.Tls!.CaCertificate };
        return ZooKeeperTls.Load(change is null ? options : change(options));
    }

    public ZooKeeperClientOptions ClientOptions(ZooKeeperTls tls) =>
        new() { Tls = tls, RequestTimeout = TimeSpan.FromSeconds(20), ConnectTimeout = TimeSpan.FromSeconds(5) };
}

/// <summary>Certificates made by openssl for tests, outside any sandbox (another CA the servers never used).</summary>
public static class TestCertificates
{
    public static string OtherCa(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "other-ca.pem");
        var start = new System.Diagnostics.ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = directory };
        foreach (var a in new[] { "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", path, "-days", "2", "-subj", "/CN=Some other CA", "-addext", "keyUsage=critical,keyCertSign" })
            start.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(start)!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error);
        return path;
    }
}
