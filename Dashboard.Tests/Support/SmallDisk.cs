using System.Diagnostics;

namespace Dashboard.Tests.Support;

/// <summary>
/// A real full disk for a test: a tmpfs of a few megabytes on a folder of its own, grown later by a remount (space
/// freed). Needs root, as the test script runs in CI.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string folder) => Folder = folder;

    public string Folder { get; }

    public static SmallDisk Mount(string size, string? owner = null)
    {
        Assert.True(Environment.UserName == "root", "a real full disk is a tiny tmpfs, which needs root (the test script runs as root in CI)");
        var disk = new SmallDisk(Directory.CreateTempSubdirectory("small-disk-").FullName);
        Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", disk.Folder);
        if (owner is not null) Run("chown", $"{owner}:{owner}", disk.Folder);
        return disk;
    }

    /// <summary>Space freed: the same files, a bigger disk.</summary>
    public void Grow(string size) => Run("mount", "-o", $"remount,size={size}", Folder);

    public static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed: {error}");
    }

    public void Dispose()
    {
        var start = new ProcessStartInfo("umount", ["-l", Folder]) { RedirectStandardError = true };
        using (var process = Process.Start(start)!) process.WaitForExit();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
