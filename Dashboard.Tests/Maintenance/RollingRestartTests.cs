using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Maintenance;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;
using Xunit.Abstractions;

namespace Dashboard.Tests.Maintenance;

/// <summary>A real rolling restart of 3 voters + 1 observer while a client writes without pause.</summary>
[Collection(SoloCollection.Name)]
public sealed class RollingRestartTests(MaintenanceEnsemble ensemble, ITestOutputHelper output) : IClassFixture<MaintenanceEnsemble>
{
    [Fact]
    public async Task RollingRestart_WhileClientWrites_KeepsEveryAcknowledgedWriteAndQuorumAndRestartsLeaderLast()
    {
        await using var maintenance = new TestMaintenance(ensemble.Sandbox);
        var before = await maintenance.PollAsync();
        var firstLeader = before.Leader!.Id!.Value;
        var pids = ensemble.Sandbox.Nodes.ToDictionary(n => n.Id, n => n.ProcessId);

        await using var client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
        var root = $"/rolling-{Guid.NewGuid():N}";
        await client.CreateAsync(root, Array.Empty<byte>());
        using var stop = new CancellationTokenSource();
        var acknowledged = new ConcurrentBag<int>();
        var failedWrites = 0;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    await client.CreateAsync($"{root}/w-{i:D7}", Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    acknowledged.Add(i);
                }
                catch (Exception e) when (e is ZooKeeperException or TimeoutException or OperationCanceledException or IOException)
                {
                    Interlocked.Increment(ref failedWrites);
                    await Task.Delay(50);
                }
            }
        });

        // Watches the ensemble throughout: how many voters are away at once, and how long it goes without a leader.
        var maxVotersDown = 0;
        var leaderless = new List<TimeSpan>();
        var watcher = Task.Run(async () =>
        {
            var poller = new EnsemblePoller(new NodeProbe(null));
            Stopwatch? gap = null;
            while (!stop.IsCancellationRequested)
            {
                var s = await poller.PollAsync(maintenance.Cluster);
                maxVotersDown = Math.Max(maxVotersDown, s.Nodes.Count(n => EnsembleReadiness.IsVoter(s, n) && n.Role == NodeRole.Down));
                if (s.Leader is null) gap ??= Stopwatch.StartNew();
                else if (gap is not null) { leaderless.Add(gap.Elapsed); gap = null; }
                await Task.Delay(150);
            }
        });

        var clock = Stopwatch.StartNew();
        var run = await maintenance.Coordinator.StartAsync("sandbox", MaintenanceRequest.RollingRestart, TestMaintenance.Tester);
        run = await maintenance.WaitUntilSettledAsync(run.Id, TimeSpan.FromMinutes(5));
        var duration = clock.Elapsed;
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(writer, watcher);

        Assert.True(run.State == RunState.Succeeded, $"run ended {run.State}: {run.PauseReason}\n{string.Join('\n', run.Log.Select(l => l.Message))}");
        Assert.Equal(4, run.Steps.Length);
        Assert.All(run.Steps, s => Assert.Equal(StepState.Succeeded, s.State));
        Assert.True(run.Steps[0].IsObserver, "the observer goes first");
        Assert.Equal(firstLeader, run.Steps[^1].NodeId);
        Assert.All(ensemble.Sandbox.Nodes, n => Assert.NotEqual(pids[n.Id], n.ProcessId));

        // Never more than one voter away: a quorum of 2 of 3 voters stayed up; only the leader's restart cost an election.
        Assert.Equal(1, maxVotersDown);
        Assert.True(leaderless.Count <= 1, $"{leaderless.Count} leaderless periods: {string.Join(", ", leaderless)}");

        var children = (await client.GetChildrenAsync(root)).Names.ToHashSet(StringComparer.Ordinal);
        var missing = acknowledged.Where(i => !children.Contains($"w-{i:D7}")).ToList();
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} writes were acknowledged");
        Assert.Empty(missing);
        output.WriteLine($"rolling restart of 4 nodes: {duration.TotalSeconds:0.0} s; writes acknowledged {acknowledged.Count}, failed {failedWrites}; " +
                         $"leaderless {string.Join(", ", leaderless.Select(g => $"{g.TotalMilliseconds:0} ms"))}; max voters down {maxVotersDown}");
        foreach (var step in run.Steps)
            output.WriteLine($"step {step.Index + 1}: {step.Node} {(step.FinishedAt - step.ActionStartedAt)?.TotalSeconds:0.0} s");
    }
}
