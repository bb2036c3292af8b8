using System.Collections.Concurrent;
using System.Text;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;
using Xunit.Abstractions;

namespace Dashboard.Tests.Maintenance;

/// <summary>
/// The dashboard stops at each point of a restart step (during the stop command, between stop and start, while
/// waiting for the node), gracefully (what SIGTERM does: the coordinator is disposed) or abandoned (what SIGKILL
/// leaves: the database as it was, the script killed with the process, and a new coordinator resuming from it).
/// The ensemble outlives the "dashboard": command control with a slow script. Under a writer: no node stays down,
/// no action runs twice, the run completes after resume, no acknowledged write is lost.
/// </summary>
[Collection(SoloCollection.Name)]
public sealed class DashboardStopTests(DashboardStopTests.Ensemble ensemble, ITestOutputHelper output) : IClassFixture<DashboardStopTests.Ensemble>
{
    public enum Point { DuringStop, BetweenStopAndStart, WhileWaiting }

    [Theory]
    [InlineData(Point.DuringStop, false)]
    [InlineData(Point.DuringStop, true)]
    [InlineData(Point.BetweenStopAndStart, false)]
    [InlineData(Point.BetweenStopAndStart, true)]
    [InlineData(Point.WhileWaiting, false)]
    [InlineData(Point.WhileWaiting, true)]
    public async Task DashboardStopsMidStep_NoNodeLeftDown_NoActionTwice_RunCompletesAfterResume(Point point, bool killed)
    {
        var script = ensemble.Script;
        script.Reset();
        var sandbox = ensemble.Sandbox;
        var first = new TestMaintenance(sandbox, script.Settings, settle: TimeSpan.FromSeconds(1));
        var secondFolder = Directory.CreateTempSubdirectory("maintenance-resumed-").FullName;
        await using var writer = await Writer.StartAsync(sandbox.ConnectString);
        try
        {
            var leader = (await first.PollAsync()).Leader!.Id!.Value;
            var node = sandbox.Voters.First(n => n.Id != leader).Id;
            if (point != Point.WhileWaiting) script.Close();
            if (point == Point.BetweenStopAndStart) script.Let("stop", node);
            var run = await first.Coordinator.StartAsync("sandbox", new MaintenanceRequest(MaintenanceOperation.Restart, [node]), TestMaintenance.Tester);

            string? action = null;
            switch (point)
            {
                case Point.DuringStop:
                    await script.WaitForAsync($"stop-begin {node}", TimeSpan.FromSeconds(30));
                    action = "stop";
                    break;
                case Point.BetweenStopAndStart:
                    await script.WaitForAsync($"start-begin {node}", TimeSpan.FromSeconds(60));
                    await WaitForAsync(first, node, n => n.Role == NodeRole.Down, "down");
                    action = "start";
                    break;
                default:
                    await first.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(90), r => r.Current is { State: StepState.Waiting });
                    break;
            }

            var folder = first.Folder;
            if (!killed)
            {
                // SIGTERM: the host disposes the coordinator; an action under way is finished first, not cancelled.
                var stopping = first.Coordinator.DisposeAsync().AsTask();
                if (action is not null)
                {
                    await Task.Delay(1500);
                    Assert.False(stopping.IsCompleted, "the stop did not wait for the action under way");
                    script.Open();
                }
                await stopping.WaitAsync(TimeSpan.FromSeconds(90));
            }
            else
            {
                // SIGKILL: the disk as the process left it, and the script dies with the process's cgroup.
                folder = secondFolder;
                foreach (var file in Directory.EnumerateFiles(first.Folder, "history.db*")) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
                if (action is not null) script.Kill(action, node);
                script.Open();
                await first.Coordinator.DisposeAsync(); // writes only to the old copy from now on
            }

            await using var second = new TestMaintenance(sandbox, script.Settings, settle: TimeSpan.FromSeconds(1), folder: folder);
            second.Coordinator.RecoverInterrupted();
            run = second.Coordinator.Get(run.Id)!;
            Assert.Equal(RunState.Paused, run.State);
            output.WriteLine($"{point} {(killed ? "killed" : "stopped")}: paused: {run.PauseReason}; step {RunStates.Name(run.Steps[0].State)}");
            if (!killed && action is not null)
            {
                Assert.True(run.Steps[0].ActionSucceeded, "the action under way was finished and its result saved");
                Assert.Contains(run.Log, l => l.Message.Contains("finished first, not cancelled", StringComparison.Ordinal));
            }

            if (killed && point == Point.DuringStop)
            {
                // The stop never happened: the node serves and never restarted, so only the operator can say what to do.
                var choice = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => second.Coordinator.ResumeAsync(run.Id, ResumeMode.Default, TestMaintenance.Tester));
                Assert.Equal("resume-choice", Assert.Single(choice.Refusals).Rule);
                run = await second.Coordinator.ResumeAsync(run.Id, ResumeMode.Retry, TestMaintenance.Tester);
            }
            else run = await second.Coordinator.ResumeAsync(run.Id, ResumeMode.Default, TestMaintenance.Tester);
            run = await second.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(120));

            Assert.True(run.State == RunState.Succeeded, $"{run.State}: {run.PauseReason}\n{string.Join('\n', run.Log.Select(l => l.Message))}");
            if (killed && point == Point.BetweenStopAndStart)
                Assert.Contains(run.Log, l => l.Message.Contains("starting it (the run took it down itself)", StringComparison.Ordinal));
            var snapshot = await second.PollAsync();
            Assert.All(snapshot.Nodes, n => Assert.True(n.IsServing, $"{n.Label} is {n.Role}"));
            // Each action took effect exactly once: one stop and one start of the node, nothing on the others.
            Assert.Equal(1, script.Count($"stop-done {node}"));
            Assert.Equal(1, script.Count($"start-done {node}"));
            Assert.All(sandbox.Nodes.Where(n => n.Id != node), n => Assert.DoesNotContain(script.Actions, a => a.EndsWith($" {n.Id}", StringComparison.Ordinal)));
            output.WriteLine($"actions: {string.Join(", ", script.Actions)}");
        }
        finally
        {
            script.Open();
            await first.DisposeAsync();
            await writer.StopAsync();
            if (Directory.Exists(secondFolder)) Directory.Delete(secondFolder, recursive: true);
        }
        Assert.True(writer.Acknowledged > 20, $"only {writer.Acknowledged} writes were acknowledged");
        Assert.Empty(await writer.MissingAsync());
    }

    private static async Task WaitForAsync(TestMaintenance maintenance, int node, Func<NodeStatus, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await maintenance.PollAsync()).Nodes.Any(n => n.Id == node && condition(n)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"node {node} was never {what}");
            await Task.Delay(200);
        }
    }

    /// <summary>A client that creates znodes without pause; afterwards, the acknowledged ones that are missing.</summary>
    internal sealed class Writer : IAsyncDisposable
    {
        private readonly ZooKeeperClient _client;
        private readonly string _root = $"/stop-{Guid.NewGuid():N}";
        private readonly ConcurrentBag<int> _acknowledged = [];
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        private Writer(ZooKeeperClient client) => _client = client;

        public int Acknowledged => _acknowledged.Count;

        public static async Task<Writer> StartAsync(string connect)
        {
            var writer = new Writer(await ZooKeeperClient.ConnectAsync(connect, new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(5) }));
            await writer._client.CreateAsync(writer._root, Array.Empty<byte>());
            writer._loop = Task.Run(writer.LoopAsync);
            return writer;
        }

        private async Task LoopAsync()
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                try
                {
                    await _client.CreateAsync($"{_root}/w-{i:D7}", Encoding.ASCII.GetBytes("x"));
                    _acknowledged.Add(i);
                    await Task.Delay(20);
                }
                catch (Exception e) when (e is ZooKeeperException or TimeoutException or OperationCanceledException or IOException)
                {
                    await Task.Delay(100);
                }
            }
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
        }

        public async Task<List<int>> MissingAsync()
        {
            var children = (await _client.GetChildrenAsync(_root)).Names.ToHashSet(StringComparer.Ordinal);
            return [.. _acknowledged.Where(i => !children.Contains($"w-{i:D7}"))];
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            await _client.DisposeAsync();
            _stop.Dispose();
        }
    }

    /// <summary>A 3+1 sandbox whose nodes the slow script stops and starts from outside.</summary>
    public sealed class Ensemble : IAsyncLifetime
    {
        public ZooKeeperSandbox Sandbox { get; private set; } = null!;
        internal SlowControlScript Script { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1 });
            Script = new SlowControlScript(Sandbox);
        }

        public async Task DisposeAsync()
        {
            Script?.Dispose();
            if (Sandbox is not null) await Sandbox.DisposeAsync();
        }
    }
}
