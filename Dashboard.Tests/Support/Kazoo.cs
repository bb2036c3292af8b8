using System.Diagnostics;

namespace Dashboard.Tests.Support;

/// <summary>
/// Writes znodes with kazoo (a second, independent ZooKeeper client) under Debian's /usr/bin/python3, so data an
/// attacker or another program wrote reaches our reader exactly as it would in production.
/// </summary>
internal static class Kazoo
{
    public const string Python = "/usr/bin/python3";

    private const string CreateScript = """
        import sys
        from kazoo.client import KazooClient
        zk = KazooClient(hosts=sys.argv[1], timeout=15)
        zk.start(timeout=30)
        data = sys.argv[3].encode('utf-8')
        if zk.exists(sys.argv[2]):
            zk.set(sys.argv[2], data)
        else:
            zk.create(sys.argv[2], data, makepath=True)
        zk.stop()
        """;

    /// <summary>Creates (with parents) or overwrites a znode with this UTF-8 text.</summary>
    public static async Task SetAsync(string connectString, string path, string data)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", CreateScript, connectString, path, data }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kazoo could not write {path}: {await error}");
    }
}
