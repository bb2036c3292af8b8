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

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
