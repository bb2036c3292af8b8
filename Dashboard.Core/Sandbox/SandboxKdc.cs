using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Dashboard.Core.Sandbox;

/// <summary>A Kerberos realm for a sandbox: a local KDC, the servers' service principal and some client principals.</summary>
public sealed record SandboxKerberosOptions
{
    public string Realm { get; init; } = "ZK.SANDBOX";

    /// <summary>Client principals (names without the realm) made at start, each with its own keytab.</summary>
    public IReadOnlyList<string> ClientPrincipals { get; init; } = ["dashboard"];
}

/// <summary>
/// A local MIT KDC (Debian's <c>krb5-kdc</c>) on a loopback port, its database, krb5.conf and keytabs in one
/// folder: <c>zookeeper/localhost@REALM</c> for the servers, and one keytab per client principal. Keys are random
/// (<c>addprinc -randkey</c>); the only copies are the KDC's database and the keytabs in this folder.
/// </summary>
public sealed class SandboxKdc
{
    private const string Sbin = "/usr/sbin";
    public const string Needed = "A Kerberos sandbox needs MIT's KDC and admin tools: apt-get install krb5-kdc krb5-admin-server krb5-user (scripts/prereqs.sh does it)";

    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    private SandboxKdc(string directory, string realm, int port)
    {
        Directory = directory;
        Realm = realm;
        Port = port;
        _environment = new() { ["KRB5_CONFIG"] = Krb5Config, ["KRB5_KDC_PROFILE"] = KdcConfig };
    }

    public string Directory { get; }
    public string Realm { get; }
    public int Port { get; }

    /// <summary>The krb5.conf clients and servers read: this realm, its KDC on loopback, no DNS.</summary>
    public string Krb5Config => Path.Combine(Directory, "krb5.conf");
    private string KdcConfig => Path.Combine(Directory, "kdc.conf");

    /// <summary>The KDC's log: one line per ticket it issues or refuses (no keys).</summary>
    public string LogPath => Path.Combine(Directory, "kdc.log");
    public string ServicePrincipal => $"zookeeper/localhost@{Realm}";
    public string ServiceKeytab => Path.Combine(Directory, "zookeeper.keytab");
    public string Principal(string name) => $"{name}@{Realm}";
    public string Keytab(string name) => Path.Combine(Directory, $"{name}.keytab");

    internal static SandboxKdc Start(string directory, SandboxKerberosOptions options, TimeSpan timeout)
    {
        foreach (var tool in new[] { "krb5kdc", "kdb5_util", "kadmin.local" })
            if (!File.Exists(Path.Combine(Sbin, tool))) throw new SandboxException($"{Needed}; {Sbin}/{tool} is missing.");
        if (!options.Realm.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
            throw new SandboxException($"The sandbox realm '{options.Realm}' must be upper-case letters, digits, '.' or '-'.");
        System.IO.Directory.CreateDirectory(directory);
        var kdc = new SandboxKdc(directory, options.Realm, LoopbackPorts.Take(1)[0]);
        kdc.WriteConfigs();
        // The database's master key guards only this throwaway folder; it is random and kept nowhere.
        kdc.Run("kdb5_util", "create", "-s", "-r", kdc.Realm, "-P", Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        kdc.AddPrincipal("zookeeper/localhost", kdc.ServiceKeytab);
        foreach (var name in options.ClientPrincipals) kdc.AddPrincipal(name, kdc.Keytab(name));
        kdc.Launch(timeout);
        return kdc;
    }

    /// <summary>A new principal with a random key, exported to <paramref name="keytab"/>.</summary>
    public void AddPrincipal(string name, string keytab)
    {
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/'))
            throw new SandboxException($"The sandbox principal '{name}' must be letters, digits, '-', '_', '.' or '/'.");
        Run("kadmin.local", "-r", Realm, "-q", $"addprinc -randkey {name}@{Realm}");
        ExportKeytab(name, keytab);
    }

    /// <summary>Gives the principal a new random key, written to <paramref name="keytab"/>; keytabs exported before hold a stale key.</summary>
    public void ExportKeytab(string name, string keytab) => Run("kadmin.local", "-r", Realm, "-q", $"ktadd -k {keytab} {name}@{Realm}");

    /// <summary>Caps the lifetime of the principal's tickets (e.g. <c>10 seconds</c>), to see them expire.</summary>
    public void SetMaximumTicketLife(string name, TimeSpan life) =>
        Run("kadmin.local", "-r", Realm, "-q", $"modprinc -maxlife \"{(int)life.TotalSeconds} seconds\" {name}@{Realm}");

    private void WriteConfigs()
    {
        var port = Port.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(Krb5Config, $$"""
            [libdefaults]
              default_realm = {{Realm}}
              dns_lookup_kdc = false
              dns_lookup_realm = false
              dns_canonicalize_hostname = false
              rdns = false
              udp_preference_limit = 1
              ticket_lifetime = 1h
            [realms]
              {{Realm}} = {
                kdc = 127.0.0.1:{{port}}
              }
            [domain_realm]
              localhost = {{Realm}}
            """);
        File.WriteAllText(Path.Combine(Directory, "kadm5.acl"), "");
        File.WriteAllText(KdcConfig, $$"""
            [kdcdefaults]
              kdc_listen = 127.0.0.1:{{port}}
              kdc_tcp_listen = 127.0.0.1:{{port}}
            [realms]
              {{Realm}} = {
                database_name = {{Path.Combine(Directory, "principal")}}
                key_stash_file = {{Path.Combine(Directory, "stash")}}
                acl_file = {{Path.Combine(Directory, "kadm5.acl")}}
                max_life = 1h
              }
            [logging]
              kdc = FILE:{{LogPath}}
              admin_server = FILE:{{Path.Combine(Directory, "kadmin.log")}}
              default = FILE:{{Path.Combine(Directory, "krb5.log")}}
            """);
    }

    private void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(Sbin, tool)) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in _environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new SandboxException($"{tool} did not run.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000)) { process.Kill(); throw new SandboxException($"{tool} did not finish within 60 s."); }
        // kadmin.local reports a failed query on stderr but still exits 0.
        var text = (output.Result + error.Result).Trim();
        if (process.ExitCode != 0 || text.Contains("error", StringComparison.OrdinalIgnoreCase) || text.Contains("while ", StringComparison.Ordinal))
            throw new SandboxException($"{tool} {(arguments.Length > 0 ? arguments[0] : "")} failed (exit {process.ExitCode}): {text}");
    }

    private void Launch(TimeSpan timeout)
    {
        // Its own session, and a pid file in the sandbox folder with the folder in its command line: the sandbox's
        // watchdog kills it with the nodes if the owner dies.
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = Directory };
        foreach (var argument in new[] { "sh", "-c", "echo $$ > pid; exec \"$@\" >> kdc.out 2>&1", "sh", Path.Combine(Sbin, "krb5kdc"), "-n", "-r", Realm, "-P", Path.Combine(Directory, "krb5kdc.pid") })
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in _environment) start.Environment[key] = value;
        _process = Process.Start(start) ?? throw new SandboxException("krb5kdc did not run.");
        try
        {
            WaitUntilListening(timeout);
        }
        catch
        {
            Stop();
            throw;
        }
    }

    private void WaitUntilListening(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process!.HasExited)
                throw new SandboxException($"krb5kdc exited ({_process.ExitCode}) at start: {ReadLog()}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect("127.0.0.1", Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(50); }
        }
        throw new SandboxException($"krb5kdc did not listen on 127.0.0.1:{Port} within {timeout.TotalSeconds:0} s: {ReadLog()}");
    }

    private string ReadLog()
    {
        var log = Path.Combine(Directory, "kdc.out");
        var text = File.Exists(log) ? File.ReadAllText(log) : "";
        if (File.Exists(LogPath)) text += File.ReadAllText(LogPath);
        return text.Length > 2000 ? text[^2000..] : text;
    }

    /// <summary>Stops the KDC (clients then see "Cannot contact any KDC"); <see cref="Restart"/> brings it back.</summary>
    public void Stop()
    {
        if (_process is not { } p) return;
        try
        {
            if (!p.HasExited) { p.Kill(); p.WaitForExit(5_000); }
        }
        catch (InvalidOperationException) { }
        p.Dispose();
        _process = null;
    }

    public void Restart(TimeSpan timeout)
    {
        Stop();
        Launch(timeout);
    }

    /// <summary>Text for a JAAS <c>Server</c> section: the servers log in with the service keytab.</summary>
    internal string ServerJaas() => new StringBuilder("Server {\n    com.sun.security.auth.module.Krb5LoginModule required\n")
        .Append(CultureInfo.InvariantCulture, $"    useKeyTab=true\n    keyTab=\"{ServiceKeytab}\"\n    storeKey=true\n    useTicketCache=false\n")
        .Append(CultureInfo.InvariantCulture, $"    principal=\"{ServicePrincipal}\";\n}};\n")
        .ToString();
}
