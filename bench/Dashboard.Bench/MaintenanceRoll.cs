using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Bench;

/// <summary>
/// A rolling restart of a 3 voter + 1 observer sandbox through the real coordinator while a client creates znodes
/// without pause: duration, acknowledged writes missing afterwards (must be 0) and the longest gap between two
/// acknowledged writes. Then (--idle N, default 2) rolling restarts back to back with no client connected: an idle
/// ensemble after an election. Last line: "duration_s=... lost=... gap_ms=... idle_s=a/b" (NaN: did not complete).
/// </summary>
internal static class MaintenanceRoll
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var settle = TimeSpan.FromSeconds(options.Int("settle", 2));
        await using var sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1, JvmHeap = "256m" });
        var cluster = SandboxCluster.Define(sandbox, "sandbox", "Sandbox", TimeSpan.FromMilliseconds(500)) with
        {
            NodeTimeout = TimeSpan.FromSeconds(1),
            Maintenance = new MaintenanceSettings
            {
                Enabled = true, Control = new NodeControlSettings(NodeControlKind.Sandbox), SettlePeriod = settle,
                StepTimeout = TimeSpan.FromSeconds(options.Int("step-timeout", 90)), PollInterval = TimeSpan.FromMilliseconds(250),
            },
        };
        var folder = Directory.CreateTempSubdirectory("maintenance-roll-").FullName;
        using var controls = new NodeControlFactory();
        controls.RegisterSandbox(cluster.Id, sandbox);
        var targets = new Targets(cluster, controls);
        var store = new MaintenanceStore(new HistoryDatabase(new HistoryOptions { DatabasePath = Path.Combine(folder, "history.db") }));
        await using var coordinator = new MaintenanceCoordinator(store, targets);
        try
        {
            var client = await ZooKeeperClient.ConnectAsync(sandbox.ConnectString, new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
            var root = $"/roll-{Guid.NewGuid():N}";
            await client.CreateAsync(root, Array.Empty<byte>());
            using var stop = new CancellationTokenSource();
            var acknowledged = new ConcurrentBag<int>();
            var clock = Stopwatch.StartNew();
            var lastAck = TimeSpan.Zero;
            var longestGap = TimeSpan.Zero;
            var failed = 0;
            var writer = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        await client.CreateAsync($"{root}/w-{i:D7}", Encoding.ASCII.GetBytes(i.ToString(CultureInfo.InvariantCulture)));
                        acknowledged.Add(i);
                        var now = clock.Elapsed;
                        if (now - lastAck > longestGap) longestGap = now - lastAck;
                        lastAck = now;
                    }
                    catch (Exception e) when (e is ZooKeeperException or TimeoutException or OperationCanceledException or IOException)
                    {
                        failed++;
                        await Task.Delay(50);
                    }
                }
            });
            await Task.Delay(1000);
            lastAck = clock.Elapsed;
            longestGap = TimeSpan.Zero;
            var first = await RollAsync(coordinator, store, "first");
            await Task.Delay(500);
            await stop.CancelAsync();
            await writer;
            var children = (await client.GetChildrenAsync(root)).Names.ToHashSet(StringComparer.Ordinal);
            var lost = acknowledged.Count(i => !children.Contains($"w-{i:D7}"));
            Console.WriteLine($"writes acknowledged {acknowledged.Count}, failed attempts {failed}, lost {lost}, longest gap {longestGap.TotalMilliseconds:0} ms");
            await client.DisposeAsync();

            // Then rolls with no client at all: after the first idle roll's leader restart the new epoch has no
            // transaction, and followers keep reporting the old epoch's last zxid (the second idle roll stalled on that).
            var idle = new List<double>();
            for (var i = 1; i <= options.Int("idle", 2); i++) idle.Add(await RollAsync(coordinator, store, $"idle #{i}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"duration_s={first:0.0} lost={lost} gap_ms={longestGap.TotalMilliseconds:0} idle_s={string.Join('/', idle.Select(d => d.ToString("0.0", CultureInfo.InvariantCulture)))}"));
            return lost == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> RollAsync(MaintenanceCoordinator coordinator, MaintenanceStore store, string label)
    {
        var clock = Stopwatch.StartNew();
        var run = await MaintenanceRollStart.StartAsync(coordinator);
        while (true)
        {
            run = store.Get(run.Id)!;
            if (run.State != RunState.Running) break;
            await Task.Delay(200);
        }
        Console.WriteLine($"{label} rolling restart: {run.State} in {clock.Elapsed.TotalSeconds:0.0} s" + (run.PauseReason is { } r ? $" ({r})" : ""));
        foreach (var step in run.Steps)
            Console.WriteLine($"  step {step.Index + 1}: {step.Node} {(step.FinishedAt - step.ActionStartedAt)?.TotalSeconds:0.0} s");
        if (run.State != RunState.Succeeded)
        {
            foreach (var line in run.Log.TakeLast(8)) Console.WriteLine("  log: " + line.Message);
            await coordinator.AbortAsync(run.Id, MaintenanceRollStart.User);
        }
        return run.State == RunState.Succeeded ? clock.Elapsed.TotalSeconds : double.NaN;
    }

    private sealed class Targets(ClusterDefinition cluster, NodeControlFactory controls) : IMaintenanceTargets
    {
        public MaintenanceTarget? Find(string clusterId) => clusterId == cluster.Id
            ? new MaintenanceTarget(cluster, new PollingEnsembleReader(cluster, new EnsemblePoller(new NodeProbe(null))), (NodeDefinition node, out string? problem) => controls.For(cluster, node, out problem))
            : null;
    }
}
