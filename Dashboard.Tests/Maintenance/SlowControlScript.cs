using System.Diagnostics;
using System.Text;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Sandbox;

namespace Dashboard.Tests.Maintenance;

/// <summary>
/// A slow stop/start script for command node control, run outside the test's own process tree control: it stops a
/// sandbox node by its pid file and starts it with the sandbox's own command line, so the ensemble outlives any
/// "dashboard" that ran the script. Each run logs "stop-begin N", "stop-done N" (and start-...), writes its pid, and
/// waits at its gate until the test opens it: that is how a test stops the dashboard at an exact point of a step.
/// </summary>
internal sealed class SlowControlScript : IDisposable
{
    private readonly ZooKeeperSandbox _sandbox;

    public SlowControlScript(ZooKeeperSandbox sandbox)
    {
        _sandbox = sandbox;
        Folder = Directory.CreateTempSubdirectory("slow-control-").FullName;
        var script = new StringBuilder()
            .AppendLine("act=$1; id=$2; here='" + Folder + "'")
            .AppendLine("echo \"$act-begin $id\" >> \"$here/actions.log\"")
            .AppendLine("echo $$ > \"$here/$act-$id.pid\"")
            .AppendLine("sleep 0.5") // slow even when the gate is open
            .AppendLine("i=0; while [ ! -e \"$here/open\" ] && [ ! -e \"$here/$act-$id.go\" ]; do sleep 0.1; i=$((i+1)); [ $i -gt 1800 ] && exit 9; done")
            .AppendLine("case \"$id\" in");
        foreach (var node in sandbox.Nodes)
            script.AppendLine($"  {node.Id}) dir='{node.Directory}' ;;");
        script.AppendLine("  *) echo \"no node $id\" >&2; exit 2 ;;").AppendLine("esac")
            .AppendLine("if [ \"$act\" = stop ]; then")
            .AppendLine("  pid=$(cat \"$dir/pid\"); kill -TERM \"$pid\" 2>/dev/null")
            .AppendLine("  while kill -0 \"$pid\" 2>/dev/null; do sleep 0.1; done")
            .AppendLine("else")
            .AppendLine("  case \"$id\" in");
        foreach (var node in sandbox.Nodes)
            script.AppendLine($"    {node.Id}) cd \"$dir\" && {string.Join(' ', sandbox.LaunchCommand(node.Id).Select(Quote))} < /dev/null > /dev/null 2>&1 & ;;");
        script.AppendLine("  esac").AppendLine("fi").AppendLine("echo \"$act-done $id\" >> \"$here/actions.log\"");
        ScriptPath = Path.Combine(Folder, "control.sh");
        File.WriteAllText(ScriptPath, script.ToString());
        Open();
    }

    public string Folder { get; }
    public string ScriptPath { get; }

    public NodeControlSettings Settings => new(NodeControlKind.Command)
    {
        Stop = ["sh", ScriptPath, "stop", "{id}"], Start = ["sh", ScriptPath, "start", "{id}"], ActionTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Every script waits at its gate from now on, until <see cref="Open"/> or <see cref="Let"/>.</summary>
    public void Close() => File.Delete(Path.Combine(Folder, "open"));

    public void Open() => File.WriteAllText(Path.Combine(Folder, "open"), "");

    /// <summary>Lets one action through its gate while the others stay closed.</summary>
    public void Let(string action, int id) => File.WriteAllText(Path.Combine(Folder, $"{action}-{id}.go"), "");

    public IReadOnlyList<string> Actions => File.Exists(Path.Combine(Folder, "actions.log")) ? File.ReadAllLines(Path.Combine(Folder, "actions.log")) : [];

    public int Count(string line) => Actions.Count(a => a == line);

    public async Task WaitForAsync(string line, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Actions.Contains(line))
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"the script never logged '{line}'; it logged: {string.Join(", ", Actions)}");
            await Task.Delay(100);
        }
    }

    /// <summary>What a dying dashboard's cgroup does to its children: the script is killed where it stands.</summary>
    public void Kill(string action, int id)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(Folder, $"{action}-{id}.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try { using var process = Process.GetProcessById(pid); process.Kill(); process.WaitForExit(5_000); }
        catch (ArgumentException) { } // already gone
    }

    /// <summary>Forgets the actions so far and opens the gates (between scenarios).</summary>
    public void Reset()
    {
        foreach (var f in Directory.EnumerateFiles(Folder).Where(f => !f.EndsWith("control.sh", StringComparison.Ordinal))) File.Delete(f);
        Open();
    }

    /// <summary>The JVMs the script started belong to no Process object of the sandbox: kill them by their pid files.</summary>
    public void KillStartedNodes()
    {
        foreach (var node in _sandbox.Nodes)
        {
            var pidFile = Path.Combine(node.Directory, "pid");
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) continue;
            try
            {
                using var process = Process.GetProcessById(pid);
                if (File.ReadAllText($"/proc/{pid}/cmdline").Contains(node.Directory, StringComparison.Ordinal)) { process.Kill(); process.WaitForExit(5_000); }
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException) { }
        }
    }

    public void Dispose()
    {
        KillStartedNodes();
        Directory.Delete(Folder, recursive: true);
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
