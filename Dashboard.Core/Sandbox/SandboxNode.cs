using System.Diagnostics;

namespace Dashboard.Core.Sandbox;

public enum SandboxNodeState { Stopped, Running, Frozen }

/// <summary>One ZooKeeper server process of a sandbox, with its own folder and loopback ports.</summary>
public sealed class SandboxNode
{
    internal SandboxNode(int id, bool isObserver, string directory, int clientPort, int quorumPort, int electionPort, int adminPort, int secureClientPort = 0, bool isSpare = false)
    {
        Id = id;
        IsSpare = isSpare;
        IsObserver = isObserver;
        Directory = directory;
        ClientPort = clientPort;
        QuorumPort = quorumPort;
        ElectionPort = electionPort;
        AdminPort = adminPort;
        SecureClientPort = secureClientPort;
    }

    public int Id { get; }
    public bool IsObserver { get; }

    /// <summary>Started as a spare: running and synced, but not a member until a <c>reconfig</c> adds it.</summary>
    public bool IsSpare { get; }
    public string Host => "127.0.0.1";
    public int ClientPort { get; }
    public int QuorumPort { get; }
    public int ElectionPort { get; }
    public int AdminPort { get; }

    /// <summary>The TLS client port (<c>secureClientPort</c>); 0 when the sandbox runs without TLS.</summary>
    public int SecureClientPort { get; }
    public string SecureClientAddress => $"{Host}:{SecureClientPort}";
    public string Directory { get; }
    public string DataDirectory => Path.Combine(Directory, "data");
    public string ConfigPath => Path.Combine(Directory, "zoo.cfg");

    /// <summary>The membership file named by <c>dynamicConfigFile</c>; ZooKeeper writes later versions beside it.</summary>
    public string DynamicConfigPath => Path.Combine(Directory, "zoo.cfg.dynamic");
    public string LogPath => Path.Combine(Directory, "zookeeper.log");
    internal string PidPath => Path.Combine(Directory, "pid");
    public string ClientAddress => $"{Host}:{ClientPort}";
    public Uri AdminUri => new($"{(SecureClientPort > 0 ? "https" : "http")}://{Host}:{AdminPort}/commands");

    /// <summary>The line every member's configuration carries for this node (in its starting role).</summary>
    public string ServerLine => ServerLineAs(IsObserver);

    /// <summary>This node's <c>server.N=</c> line as a voter (participant) or an observer, e.g. for a <c>reconfig</c>.</summary>
    public string ServerLineAs(bool observer) =>
        $"server.{Id}={Host}:{QuorumPort}:{ElectionPort}:{(observer ? "observer" : "participant")};{Host}:{ClientPort}";

    public SandboxNodeState State { get; internal set; } = SandboxNodeState.Stopped;
    internal Process? Process { get; set; }
    public int? ProcessId => Process is { HasExited: false } p ? p.Id : null;

    /// <summary>The last lines of the node's log, for error messages.</summary>
    public string LogTail(int lines = 25)
    {
        try
        {
            if (!File.Exists(LogPath)) return "(no log written)";
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }

    public override string ToString() => $"node {Id} ({(IsSpare ? "spare" : IsObserver ? "observer" : "voter")}, {ClientAddress})";
}
