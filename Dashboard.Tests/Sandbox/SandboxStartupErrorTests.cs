using System.Diagnostics;
using Dashboard.Core.Sandbox;

namespace Dashboard.Tests.Sandbox;

public sealed class SandboxStartupErrorTests
{
    [Fact]
    public void Locate_ZooKeeperHomeWithoutJars_SaysHowToInstall()
    {
        var empty = Directory.CreateTempSubdirectory("zk-home-").FullName;
        try
        {
            var error = Assert.Throws<SandboxException>(() => ZooKeeperInstallation.Locate(empty));
            Assert.Contains("apt-get install zookeeper", error.Message, StringComparison.Ordinal);
            Assert.Contains(empty, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void Locate_DebianLayout_FindsJavaAndServerJars()
    {
        var installation = ZooKeeperInstallation.Locate();
        Assert.True(File.Exists(installation.JavaPath));
        Assert.Contains("zookeeper.jar", installation.ClassPath, StringComparison.Ordinal);
        Assert.DoesNotContain("jaspi", installation.ClassPath, StringComparison.Ordinal);
        Assert.Single(installation.ClassPath.Split(':'), j => j.EndsWith("/slf4j-api.jar", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, -1)]
    [InlineData(10, 10)]
    public async Task Start_ImpossibleShape_ClearErrorBeforeAnyProcess(int voters, int observers)
    {
        var error = await Assert.ThrowsAsync<SandboxException>(() => ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = voters, Observers = observers }));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Sweep_SandboxOfDeadOwner_KillsItsProcessesAndRemovesFolder()
    {
        var root = Directory.CreateTempSubdirectory("zk-sweep-").FullName;
        var stale = Path.Combine(root, "999999-stale");
        var nodeDir = Path.Combine(stale, "node1");
        Directory.CreateDirectory(nodeDir);
        File.WriteAllText(Path.Combine(stale, "owner.pid"), DeadPid().ToString(System.Globalization.CultureInfo.InvariantCulture));

        // A stand-in for an orphaned JVM: a process whose command line names the sandbox folder, as the node's does.
        using var orphan = Process.Start(new ProcessStartInfo("sh") { ArgumentList = { "-c", $"sleep 120; : {nodeDir}" } })!;
        File.WriteAllText(Path.Combine(nodeDir, "pid"), orphan.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var swept = StaleSandboxSweeper.Sweep(root);

            Assert.Equal(1, swept);
            Assert.True(orphan.WaitForExit(5_000), "the orphaned process was not killed");
            Assert.False(Directory.Exists(stale));
        }
        finally
        {
            if (!orphan.HasExited) orphan.Kill();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Sweep_SandboxOfLiveOwner_IsLeftAlone()
    {
        var root = Directory.CreateTempSubdirectory("zk-sweep-").FullName;
        var live = Path.Combine(root, "live");
        Directory.CreateDirectory(live);
        File.WriteAllText(Path.Combine(live, "owner.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            Assert.Equal(0, StaleSandboxSweeper.Sweep(root));
            Assert.True(Directory.Exists(live));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true"))!;
        p.WaitForExit();
        return p.Id;
    }
}
