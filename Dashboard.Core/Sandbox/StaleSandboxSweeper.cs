using System.Globalization;

namespace Dashboard.Core.Sandbox;

/// <summary>
/// Removes sandboxes whose owning process is gone (a crashed test run, a killed dashboard): kills their
/// ZooKeeper processes and deletes their folders. A pid is only killed when its command line still names the
/// sandbox folder, so a recycled pid is never hit.
/// </summary>
internal static class StaleSandboxSweeper
{
    public const string OwnerFile = "owner.pid";

    public static int Sweep(string root)
    {
        if (!Directory.Exists(root)) return 0;
        var swept = 0;
        foreach (var dir in Directory.GetDirectories(root))
        {
            var ownerPath = Path.Combine(dir, OwnerFile);
            if (File.Exists(ownerPath) && int.TryParse(SafeRead(ownerPath), NumberStyles.Integer, CultureInfo.InvariantCulture, out var owner)
                && ProcessSignals.IsAlive(owner) && CommandLineOf(owner) is { Length: > 0 })
                continue;
            // A folder younger than a minute without an owner file may be a sandbox still being written.
            if (!File.Exists(ownerPath) && Directory.GetCreationTimeUtc(dir) > DateTime.UtcNow.AddMinutes(-1)) continue;

            KillProcessesOf(dir);
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            swept++;
        }
        return swept;
    }

    public static void KillProcessesOf(string sandboxDirectory)
    {
        foreach (var pidFile in Directory.EnumerateFiles(sandboxDirectory, "pid", SearchOption.AllDirectories))
        {
            if (!int.TryParse(SafeRead(pidFile), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)) continue;
            if (CommandLineOf(pid) is { } cmd && cmd.Contains(sandboxDirectory, StringComparison.Ordinal))
                ProcessSignals.Send(pid, ProcessSignals.Kill);
        }
    }

    private static string? CommandLineOf(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string SafeRead(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return ""; }
    }
}
