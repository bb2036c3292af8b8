namespace Dashboard.Hosting;

internal static class CommandLine
{
    public const string SandboxFlag = "--sandbox";

    /// <summary>Splits our own flag off before ASP.NET reads the rest as configuration (it expects key=value pairs).</summary>
    public static (bool Sandbox, string[] Remaining) TakeSandboxFlag(string[] args) =>
        (args.Contains(SandboxFlag, StringComparer.Ordinal), args.Where(a => a != SandboxFlag).ToArray());
}
