using System.Runtime.InteropServices;

namespace Dashboard.Core.Sandbox;

/// <summary>POSIX signals the framework's Process class does not send (it only kills).</summary>
internal static partial class ProcessSignals
{
    public const int Kill = 9;
    public const int Term = 15;
    public const int Cont = 18;
    public const int Stop = 19;

    public static bool Send(int pid, int signal) => NativeKill(pid, signal) == 0;

    public static bool IsAlive(int pid) => pid > 0 && NativeKill(pid, 0) == 0;

    /// <summary>Waits until every thread of a process shows state T (stopped) in /proc.</summary>
    public static bool WaitUntilStopped(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (AllThreadsStopped(pid)) return true;
            Thread.Sleep(5);
        }
        return AllThreadsStopped(pid);
    }

    private static bool AllThreadsStopped(int pid)
    {
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                // /proc/<pid>/task/<tid>/stat: "tid (comm) S ..."; comm may hold spaces or parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart();
                if (state.Length == 0 || state[0] is not ('T' or 't')) return false;
            }
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
