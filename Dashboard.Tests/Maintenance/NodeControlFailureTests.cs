using Dashboard.Core.Maintenance;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance;

/// <summary>A node-control command that fails or hangs pauses the run at once and touches nothing else.</summary>
[Collection(SoloCollection.Name)]
public sealed class NodeControlFailureTests(MaintenanceEnsemble ensemble) : IClassFixture<MaintenanceEnsemble>
{
    private static NodeControlSettings Command(params string[] restart) =>
        new(NodeControlKind.Command) { Restart = [.. restart], ActionTimeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task FailingCommand_PausesRunWithExitCode_AndResumeRechecksBeforeActing()
    {
        await using var maintenance = new TestMaintenance(ensemble.Sandbox, Command("sh", "-c", "echo no route to {host}:{port} >&2; exit 3"), stepTimeout: TimeSpan.FromSeconds(6));
        var pids = ensemble.Sandbox.Nodes.ToDictionary(n => n.Id, n => n.ProcessId);
        try
        {
            var run = await maintenance.Coordinator.StartAsync("sandbox", MaintenanceRequest.RollingRestart, TestMaintenance.Tester);
            run = await maintenance.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(30));

            Assert.Equal(RunState.Paused, run.State);
            Assert.Contains("exited with code 3", run.PauseReason, StringComparison.Ordinal);
            Assert.Equal(StepState.Failed, run.Steps[0].State);
            Assert.False(run.Steps[0].ActionSucceeded);
            Assert.All(run.Steps.Skip(1), s => Assert.Null(s.ActionStartedAt));
            Assert.Contains(run.Log, l => l.Message.Contains("no route to 127.0.0.1:", StringComparison.Ordinal));
            Assert.All(ensemble.Sandbox.Nodes, n => Assert.Equal(pids[n.Id], n.ProcessId));

            // The action started and failed: resuming needs the operator's word.
            var choice = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => maintenance.Coordinator.ResumeAsync(run.Id, ResumeMode.Default, TestMaintenance.Tester));
            Assert.Equal("resume-choice", Assert.Single(choice.Refusals).Rule);

            // Retry re-runs the checks first: with a voter down they fail, and nothing is executed.
            var leader = (await maintenance.PollAsync()).Leader!.Id!.Value;
            var follower = ensemble.Sandbox.Voters.First(n => n.Id != leader).Id;
            await ensemble.Sandbox.StopNodeAsync(follower);
            await WaitForDownAsync(maintenance, follower);
            var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => maintenance.Coordinator.ResumeAsync(run.Id, ResumeMode.Retry, TestMaintenance.Tester));
            Assert.Contains(refused.Refusals, r => r.Rule == MaintenanceRules.NodesServing && r.Subject.Contains($"node {follower}", StringComparison.Ordinal));
            run = maintenance.Coordinator.Get(run.Id)!;
            Assert.Equal(RunState.Paused, run.State);
            Assert.Contains("resume refused", run.PauseReason, StringComparison.Ordinal);
            Assert.Equal(1, run.Log.Count(l => l.Message.Contains("exited with code 3", StringComparison.Ordinal) && l.Level == RunLogLine.Error));
        }
        finally
        {
            await maintenance.WaitUntilWholeAsync();
        }
    }

    [Fact]
    public async Task HangingCommand_KilledAtActionTimeout_PausesAndVerifyDoesNotPretendARestart()
    {
        await using var maintenance = new TestMaintenance(ensemble.Sandbox, Command("sleep", "600"), stepTimeout: TimeSpan.FromSeconds(5));
        var pids = ensemble.Sandbox.Nodes.ToDictionary(n => n.Id, n => n.ProcessId);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var run = await maintenance.Coordinator.StartAsync("sandbox", new MaintenanceRequest(MaintenanceOperation.Restart, [1, 4]), TestMaintenance.Tester);
            run = await maintenance.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(30));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
            Assert.Equal(RunState.Paused, run.State);
            Assert.Contains("[\"sleep\", \"600\"] did not finish within 2 s and was killed", run.PauseReason, StringComparison.Ordinal);
            Assert.Equal(4, run.Steps[0].NodeId); // the observer first
            Assert.Null(run.Steps[1].ActionStartedAt);
            Assert.All(ensemble.Sandbox.Nodes, n => Assert.Equal(pids[n.Id], n.ProcessId));

            // Verify only waits for a real restart: the node never went away, so the run pauses again and says so.
            run = await maintenance.Coordinator.ResumeAsync(run.Id, ResumeMode.Verify, TestMaintenance.Tester);
            run = await maintenance.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(30));
            Assert.Equal(RunState.Paused, run.State);
            Assert.Contains("has not been seen to restart", run.PauseReason, StringComparison.Ordinal);
            Assert.Null(run.Steps[1].ActionStartedAt);

            run = await maintenance.Coordinator.AbortAsync(run.Id, TestMaintenance.Tester);
            Assert.Equal(RunState.Aborted, run.State);
            Assert.Null(maintenance.Coordinator.Active("sandbox"));
        }
        finally
        {
            await maintenance.WaitUntilWholeAsync();
        }
    }

    private static async Task WaitForDownAsync(TestMaintenance maintenance, int id)
    {
        for (var i = 0; i < 50; i++)
        {
            if ((await maintenance.PollAsync()).Nodes.Single(n => n.Id == id).Role == Core.Ensemble.NodeRole.Down) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"node {id} never showed as down");
    }
}
