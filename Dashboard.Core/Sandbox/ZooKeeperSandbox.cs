using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dashboard.Core.FourLetterWords;

namespace Dashboard.Core.Sandbox;

/// <summary>
/// A real ZooKeeper ensemble of voters and observers on loopback, run from the local installation. Used by the
/// tests and by <c>--sandbox</c>. Its processes never outlive their owner: disposal kills them, a process-exit hook
/// kills them, a watchdog shell kills them if this process dies hard, and the next start sweeps leftovers.
/// </summary>
public sealed class ZooKeeperSandbox : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<ZooKeeperSandbox, byte> Live = new();
    private readonly ZooKeeperInstallation _installation;
    private readonly SemaphoreSlim _control = new(1, 1);
    private Process? _watchdog;
    private int _disposed;

    static ZooKeeperSandbox()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var sandbox in Live.Keys) sandbox.KillAll();
        };
    }

    private ZooKeeperSandbox(SandboxOptions options, ZooKeeperInstallation installation, string directory, IReadOnlyList<SandboxNode> nodes)
    {
        Options = options;
        _installation = installation;
        Directory = directory;
        Nodes = nodes;
    }

    public SandboxOptions Options { get; }
    public string Directory { get; }
    public IReadOnlyList<SandboxNode> Nodes { get; }
    public IEnumerable<SandboxNode> Voters => Nodes.Where(n => !n.IsObserver);
    public IEnumerable<SandboxNode> Observers => Nodes.Where(n => n.IsObserver);

    /// <summary>Every node's client address, as a ZooKeeper connect string.</summary>
    public string ConnectString => string.Join(',', Nodes.Select(n => n.ClientAddress));

    /// <summary>Every node's TLS client address; empty without <see cref="SandboxOptions.Tls"/>.</summary>
    public string SecureConnectString => Tls is null ? "" : string.Join(',', Nodes.Select(n => n.SecureClientAddress));

    /// <summary>The CA, keystores and client certificate made at start; null without <see cref="SandboxOptions.Tls"/>.</summary>
    public SandboxTlsFiles? Tls { get; private set; }

    public SandboxNode Node(int id) =>
        Nodes.FirstOrDefault(n => n.Id == id) ?? throw new SandboxException($"The sandbox has no node {id} (it has {string.Join(", ", Nodes.Select(n => n.Id))}).");

    /// <summary>Starts every node and waits until the ensemble serves: one leader, every node answering <c>srvr</c>.</summary>
    public static async Task<ZooKeeperSandbox> StartAsync(SandboxOptions? options = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new SandboxOptions();
        options.Validate();
        var installation = ZooKeeperInstallation.Locate(options.ZooKeeperHome);
        System.IO.Directory.CreateDirectory(options.RootDirectory);
        var swept = StaleSandboxSweeper.Sweep(options.RootDirectory);
        if (swept > 0) progress?.Report($"Removed {swept} stale sandbox folder(s) left by a process that died.");

        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var sandbox = Create(options, installation);
            try
            {
                progress?.Report($"Starting ZooKeeper sandbox: {options.Voters} voter(s), {options.Observers} observer(s) in {sandbox.Directory} ({installation.Description}).");
                foreach (var node in sandbox.Nodes) sandbox.Launch(node);
                await sandbox.WaitUntilServingAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
                progress?.Report($"ZooKeeper sandbox serving at {sandbox.ConnectString}.");
                return sandbox;
            }
            catch (SandboxException) when (attempt < attempts && sandbox.HasPortClash())
            {
                progress?.Report("A sandbox port was taken by another process; retrying with new ports.");
                await sandbox.DisposeAsync().ConfigureAwait(false);
            }
            catch (SandboxException) when (sandbox.HasPortClash())
            {
                await sandbox.DisposeAsync().ConfigureAwait(false);
                throw new SandboxException($"Could not start the sandbox: its loopback ports kept clashing with other processes after {attempts} attempts.");
            }
            catch
            {
                await sandbox.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static ZooKeeperSandbox Create(SandboxOptions options, ZooKeeperInstallation installation)
    {
        var directory = Path.Combine(options.RootDirectory, $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..20]);
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, StaleSandboxSweeper.OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        var count = options.Voters + options.Observers;
        var perNode = options.Tls is null ? 4 : 5;
        var ports = LoopbackPorts.Take(count * perNode);
        var nodes = Enumerable.Range(0, count)
            .Select(i => new SandboxNode(i + 1, i >= options.Voters, Path.Combine(directory, $"node{i + 1}"),
                ports[i * perNode], ports[i * perNode + 1], ports[i * perNode + 2], ports[i * perNode + 3], perNode == 5 ? ports[i * perNode + 4] : 0))
            .ToList();

        var sandbox = new ZooKeeperSandbox(options, installation, directory, nodes);
        try
        {
            if (options.Tls is { } tls) sandbox.Tls = SandboxTlsFiles.Create(Path.Combine(directory, "tls"), tls, installation.JavaPath);
            if (options.Kerberos is { } kerberos) sandbox.Kerberos = SandboxKdc.Start(Path.Combine(directory, "kdc"), kerberos, options.StartTimeout);
            sandbox.WriteJaas();
        }
        catch
        {
            sandbox.Kerberos?.Stop();
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
        foreach (var node in nodes) sandbox.WriteConfig(node);
        Live[sandbox] = 0;
        sandbox.StartWatchdog();
        return sandbox;
    }

    private void WriteConfig(SandboxNode node)
    {
        System.IO.Directory.CreateDirectory(node.DataDirectory);
        File.WriteAllText(Path.Combine(node.DataDirectory, "myid"), node.Id.ToString(CultureInfo.InvariantCulture));
        var cfg = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"tickTime={(int)Options.TickTime.TotalMilliseconds}")
            .AppendLine("initLimit=20")
            .AppendLine("syncLimit=10")
            .AppendLine(CultureInfo.InvariantCulture, $"dataDir={node.DataDirectory}")
            .AppendLine(CultureInfo.InvariantCulture, $"clientPort={node.ClientPort}")
            .AppendLine(CultureInfo.InvariantCulture, $"clientPortAddress={node.Host}")
            .AppendLine(CultureInfo.InvariantCulture, $"admin.serverAddress={node.Host}")
            .AppendLine(CultureInfo.InvariantCulture, $"admin.serverPort={node.AdminPort}")
            .AppendLine("4lw.commands.whitelist=*")
            .AppendLine("reconfigEnabled=true")
            .AppendLine("standaloneEnabled=false")
            .AppendLine("maxClientCnxns=0")
            .AppendLine("autopurge.purgeInterval=0");
        if (node.IsObserver) cfg.AppendLine("peerType=observer");
        if (Options.Tls is { } tls && Tls is { } files) AppendTls(cfg, node, tls, files);
        if (Options.SaslUsers is not null || Options.Kerberos is not null) cfg.AppendLine("authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider");
        foreach (var (key, value) in Options.ExtraConfig) cfg.AppendLine(CultureInfo.InvariantCulture, $"{key}={value}");
        foreach (var member in Nodes) cfg.AppendLine(member.ServerLine);
        File.WriteAllText(node.ConfigPath, cfg.ToString());
    }

    /// <summary>The JAAS file of a SASL sandbox (its DigestLoginModule users, or its Kerberos login); it holds their passwords.</summary>
    public string JaasPath => Path.Combine(Directory, "jaas.conf");

    /// <summary>The sandbox's KDC, realm and keytabs; null without <see cref="SandboxOptions.Kerberos"/>.</summary>
    public SandboxKdc? Kerberos { get; private set; }

    private void WriteJaas()
    {
        if (Kerberos is { } kdc)
        {
            File.WriteAllText(JaasPath, kdc.ServerJaas());
            return;
        }
        if (Options.SaslUsers is not { } users) return;
        var text = new StringBuilder("Server {\n    org.apache.zookeeper.server.auth.DigestLoginModule required");
        foreach (var (user, password) in users)
        {
            if (!user.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new SandboxException($"The sandbox SASL user '{user}' must be letters, digits, '-', '_' or '.'.");
            text.Append(CultureInfo.InvariantCulture, $"\n    user_{user}=\"{password.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
        text.Append(";\n};\n");
        File.WriteAllText(JaasPath, text.ToString());
    }

    private static void AppendTls(StringBuilder cfg, SandboxNode node, SandboxTlsOptions tls, SandboxTlsFiles files)
    {
        // Netty serves the plain and the secure client port side by side (the plain one keeps the sandbox's own
        // srvr probes and lets a bench compare both on one ensemble).
        cfg.AppendLine("serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory")
            .AppendLine(CultureInfo.InvariantCulture, $"secureClientPort={node.SecureClientPort}")
            .AppendLine(CultureInfo.InvariantCulture, $"secureClientPortAddress={node.Host}");
        foreach (var prefix in new[] { "ssl", "ssl.quorum" })
        {
            // ssl.* is the client port's; ssl.quorum.* is what the AdminServer's HTTPS connector reads.
            cfg.AppendLine(CultureInfo.InvariantCulture, $"{prefix}.keyStore.location={files.ServerKeyStore}")
                .AppendLine(CultureInfo.InvariantCulture, $"{prefix}.keyStore.password={SandboxTlsFiles.StorePassword}")
                .AppendLine(CultureInfo.InvariantCulture, $"{prefix}.keyStore.type=PKCS12")
                .AppendLine(CultureInfo.InvariantCulture, $"{prefix}.trustStore.location={files.TrustStore}")
                .AppendLine(CultureInfo.InvariantCulture, $"{prefix}.trustStore.password={SandboxTlsFiles.StorePassword}")
                .AppendLine(CultureInfo.InvariantCulture, $"{prefix}.trustStore.type=PKCS12");
        }
        cfg.AppendLine(CultureInfo.InvariantCulture, $"ssl.clientAuth={(tls.RequireClientCertificate ? "need" : "none")}")
            .AppendLine("admin.forceHttps=true");
    }

    // A shell that outlives nothing: when this process is gone (even by SIGKILL), it kills the nodes and removes
    // the folder. It stops by itself when the folder is removed by an orderly dispose.
    private void StartWatchdog()
    {
        var script = $$"""
            owner={{Environment.ProcessId}}; dir='{{Directory}}'
            while [ -d "$dir" ] && kill -0 "$owner" 2>/dev/null; do sleep 1; done
            [ -d "$dir" ] || exit 0
            for f in "$dir"/*/pid; do
              p=$(cat "$f" 2>/dev/null) || continue
              case "$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)" in *"$dir"*) kill -9 "$p" ;; esac
            done
            rm -rf "$dir"
            """;
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = false };
        foreach (var arg in new[] { "sh", "-c", script }) start.ArgumentList.Add(arg);
        _watchdog = Process.Start(start);
    }

    private void Launch(SandboxNode node)
    {
        if (node.State != SandboxNodeState.Stopped) return;
        var command = LaunchCommand(node.Id);
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, WorkingDirectory = node.Directory };
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        node.Process = Process.Start(start) ?? throw new SandboxException($"Could not start {node}: {_installation.JavaPath} did not run.");
        node.State = SandboxNodeState.Running;
    }

    /// <summary>
    /// The argument list that starts a node, to run in its folder; it writes the JVM's pid to the folder's <c>pid</c>
    /// file. Tests give it to command node control, so a script outside this process can start a node it stopped.
    /// </summary>
    public IReadOnlyList<string> LaunchCommand(int id)
    {
        var node = Node(id);
        // setsid gives the JVM its own session, so a Ctrl+C aimed at the dashboard's terminal reaches the dashboard,
        // which then stops the nodes in order; exec keeps the pid, so signals reach the JVM itself.
        return ["setsid", "sh", "-c", "echo $$ > pid; exec \"$@\" >> zookeeper.log 2>&1", "sh", _installation.JavaPath, .. JvmArguments(node)];
    }

    private IEnumerable<string> JvmArguments(SandboxNode node)
    {
        yield return $"-Xmx{Options.JvmHeap}";
        yield return "-XX:+UseSerialGC";
        if (Options.QuickStartJit) yield return "-XX:TieredStopAtLevel=1";
        yield return "-Djava.net.preferIPv4Stack=true";
        yield return $"-Dzookeeper.sandbox.dir={node.Directory}";
        foreach (var (key, value) in Options.JvmProperties) yield return $"-D{key}={value}";
        if (Options.SaslUsers is not null || Kerberos is not null) yield return $"-Djava.security.auth.login.config={JaasPath}";
        if (Kerberos is { } kdc) yield return $"-Djava.security.krb5.conf={kdc.Krb5Config}";
        yield return "-cp";
        yield return _installation.ClassPath;
        yield return "org.apache.zookeeper.server.quorum.QuorumPeerMain";
        yield return node.ConfigPath;
    }

    /// <summary>Asks a node <c>srvr</c>; throws <see cref="FourLetterWordException"/> when it does not answer in time.</summary>
    public async Task<SrvrResponse> SrvrAsync(int id, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var node = Node(id);
        var text = await FourLetterWordClient.SendAsync(node.Host, node.ClientPort, "srvr", timeout ?? Options.ProbeTimeout, cancellationToken).ConfigureAwait(false);
        return SrvrResponse.Parse(text);
    }

    /// <summary>Waits until every running node serves with a mode and exactly one of them leads.</summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.StartNew();
        string lastProblem = "no answer yet";
        while (deadline.Elapsed < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfNodeExited();
            var running = Nodes.Where(n => n.State == SandboxNodeState.Running).ToList();
            var answers = await Task.WhenAll(running.Select(async n =>
            {
                try { return (Node: n, Srvr: (SrvrResponse?)await SrvrAsync(n.Id, cancellationToken: cancellationToken).ConfigureAwait(false), Error: (string?)null); }
                catch (FourLetterWordException e) { return (Node: n, Srvr: null, Error: e.Message); }
            })).ConfigureAwait(false);

            var notServing = answers.Where(a => a.Srvr is not { IsServing: true }).ToList();
            var leaders = answers.Count(a => a.Srvr?.Mode == ServerMode.Leader);
            if (notServing.Count == 0 && leaders == 1) return;
            lastProblem = notServing.Count > 0
                ? string.Join("; ", notServing.Select(a => $"{a.Node}: {a.Error ?? "not serving yet"}"))
                : $"{leaders} leaders";
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        var worst = Nodes.FirstOrDefault(n => n.State == SandboxNodeState.Running) ?? Nodes[0];
        throw new SandboxException($"The sandbox did not become serving within {timeout.TotalSeconds:0} s ({lastProblem}). Last lines of {worst}'s log ({worst.LogPath}):\n{worst.LogTail()}");
    }

    /// <summary>Waits until one node serves with a mode (after a restart), and returns that answer.</summary>
    public async Task<SrvrResponse> WaitForNodeServingAsync(int id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.StartNew();
        var node = Node(id);
        while (deadline.Elapsed < timeout)
        {
            ThrowIfNodeExited();
            try
            {
                var srvr = await SrvrAsync(id, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (srvr.IsServing) return srvr;
            }
            catch (FourLetterWordException) { }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
        throw new SandboxException($"{node} did not become serving within {timeout.TotalSeconds:0} s. Last lines of its log ({node.LogPath}):\n{node.LogTail()}");
    }

    /// <summary>The node that currently answers <c>Mode: leader</c>, if any.</summary>
    public async Task<SandboxNode?> FindLeaderAsync(CancellationToken cancellationToken = default)
    {
        foreach (var node in Nodes.Where(n => n.State == SandboxNodeState.Running))
        {
            try
            {
                if ((await SrvrAsync(node.Id, cancellationToken: cancellationToken).ConfigureAwait(false)).Mode == ServerMode.Leader) return node;
            }
            catch (FourLetterWordException) { }
        }
        return null;
    }

    /// <summary>Kills a node at once (SIGKILL), as a crash would.</summary>
    public Task KillNodeAsync(int id) => ControlAsync(id, node =>
    {
        if (node.Process is { } p)
        {
            if (node.State == SandboxNodeState.Frozen) ProcessSignals.Send(p.Id, ProcessSignals.Cont);
            try { p.Kill(); } catch (InvalidOperationException) { }
            p.WaitForExit(10_000);
            p.Dispose();
        }
        node.Process = null;
        node.State = SandboxNodeState.Stopped;
    });

    /// <summary>Stops a node the orderly way (SIGTERM), killing it if it has not exited within the grace period.</summary>
    public Task StopNodeAsync(int id, TimeSpan? grace = null) => ControlAsync(id, node =>
    {
        if (node.Process is { } p)
        {
            if (node.State == SandboxNodeState.Frozen) ProcessSignals.Send(p.Id, ProcessSignals.Cont);
            ProcessSignals.Send(p.Id, ProcessSignals.Term);
            if (!p.WaitForExit(grace ?? TimeSpan.FromSeconds(10)))
            {
                try { p.Kill(); } catch (InvalidOperationException) { }
                p.WaitForExit(10_000);
            }
            p.Dispose();
        }
        node.Process = null;
        node.State = SandboxNodeState.Stopped;
    });

    /// <summary>Starts a stopped node again with the same id, folder and ports; does not wait for it to serve.</summary>
    public Task StartNodeAsync(int id) => ControlAsync(id, Launch);

    /// <summary>Stops (orderly) and starts a node, then waits until it serves again.</summary>
    public async Task<SrvrResponse> RestartNodeAsync(int id, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await StopNodeAsync(id).ConfigureAwait(false);
        await StartNodeAsync(id).ConfigureAwait(false);
        return await WaitForNodeServingAsync(id, timeout ?? Options.StartTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Suspends a node (SIGSTOP): its sockets stay open but nothing answers, like a hung server.</summary>
    public Task FreezeNodeAsync(int id) => ControlAsync(id, node =>
    {
        if (node.State != SandboxNodeState.Running || node.Process is null) throw new SandboxException($"{node} is not running, so it cannot be frozen.");
        ProcessSignals.Send(node.Process.Id, ProcessSignals.Stop);
        // kill() returns before every thread of the JVM has stopped: on a busy machine a thread not yet scheduled
        // could still answer a request sent right after. Freezing means every thread is stopped, so wait for it.
        if (!ProcessSignals.WaitUntilStopped(node.Process.Id, TimeSpan.FromSeconds(5)))
            throw new SandboxException($"{node} did not stop within 5 s of SIGSTOP.");
        node.State = SandboxNodeState.Frozen;
    });

    public Task UnfreezeNodeAsync(int id) => ControlAsync(id, node =>
    {
        if (node.State != SandboxNodeState.Frozen || node.Process is null) return;
        ProcessSignals.Send(node.Process.Id, ProcessSignals.Cont);
        node.State = SandboxNodeState.Running;
    });

    private async Task ControlAsync(int id, Action<SandboxNode> action)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var node = Node(id);
        await _control.WaitAsync().ConfigureAwait(false);
        try { await Task.Run(() => action(node)).ConfigureAwait(false); }
        finally { _control.Release(); }
    }

    private void ThrowIfNodeExited()
    {
        foreach (var node in Nodes)
        {
            if (node.State == SandboxNodeState.Stopped || node.Process is not { HasExited: true } p) continue;
            node.State = SandboxNodeState.Stopped;
            throw new SandboxException($"{node} exited with code {p.ExitCode}{(HasPortClash(node) ? " because one of its ports was already in use" : "")}. Last lines of its log ({node.LogPath}):\n{node.LogTail()}");
        }
    }

    private bool HasPortClash() => Nodes.Any(HasPortClash);

    private static bool HasPortClash(SandboxNode node) => node.LogTail(200).Contains("Address already in use", StringComparison.Ordinal);

    private void KillAll()
    {
        Kerberos?.Stop();
        foreach (var node in Nodes)
        {
            if (node.Process is not { } p) continue;
            try
            {
                if (!p.HasExited) { ProcessSignals.Send(p.Id, ProcessSignals.Cont); p.Kill(); p.WaitForExit(5_000); }
            }
            catch (InvalidOperationException) { }
            node.State = SandboxNodeState.Stopped;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await Task.Run(KillAll).ConfigureAwait(false);
        foreach (var node in Nodes) { node.Process?.Dispose(); node.Process = null; }
        Live.TryRemove(this, out _);
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        _watchdog?.Dispose();
        _control.Dispose();
    }
}
