using Dashboard.Core.Maintenance;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance;

/// <summary>A dashboard that stops mid-run leaves the run paused and visible; no step is done twice unasked.</summary>
[Collection(SoloCollection.Name)]
public sealed class InterruptedRunTests(MaintenanceEnsemble ensemble) : IClassFixture<MaintenanceEnsemble>
{
    [Fact]
    public async Task DashboardStopsDuringStep_RunPausedAfterRestart_ResumeVerifiesWithoutRestartingAgain()
    {
        var first = new TestMaintenance(ensemble.Sandbox, settle: TimeSpan.FromSeconds(20));
        var folder = first.Folder;
        var observer = ensemble.Sandbox.Observers.First();
        var pidBefore = observer.ProcessId;
        try
        {
            var run = await first.Coordinator.StartAsync("sandbox", new MaintenanceRequest(MaintenanceOperation.Restart, [observer.Id]), TestMaintenance.Tester);
            // Wait until the restart was done and the run is settling, then stop "the dashboard".
            await first.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(60), r => r.Log.Any(l => l.Message.Contains("settling", StringComparison.Ordinal)));
            await first.Coordinator.DisposeAsync();
            var pidAfterRestart = observer.ProcessId;
            Assert.NotEqual(pidBefore, pidAfterRestart);

            await using var second = new TestMaintenance(ensemble.Sandbox, settle: TimeSpan.FromSeconds(1), folder: folder);
            run = second.Coordinator.Get(run.Id)!;
            Assert.Equal(RunState.Paused, run.State);
            Assert.Contains("the dashboard stopped during step 1", run.PauseReason, StringComparison.Ordinal);
            Assert.Equal(run.Id, second.Coordinator.Active("sandbox")?.Id);
            Assert.True(run.Steps[0].ActionSucceeded);
            Assert.False(run.NeedsResumeChoice);

            run = await second.Coordinator.ResumeAsync(run.Id, ResumeMode.Default, TestMaintenance.Tester);
            run = await second.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(60));
            Assert.Equal(RunState.Succeeded, run.State);
            Assert.Equal(pidAfterRestart, observer.ProcessId); // verified, not restarted a second time
            Assert.Contains(run.Log, l => l.Message.Contains("action is not repeated", StringComparison.Ordinal));
        }
        finally
        {
            await first.DisposeAsync();
            await first.WaitUntilWholeAsync();
        }
    }

    [Fact]
    public async Task CrashDuringAction_RecoveredAsInterrupted_ResumeNeedsRetryOrVerify()
    {
        await using var maintenance = new TestMaintenance(ensemble.Sandbox);
        var now = DateTimeOffset.UtcNow;
        // What a crash leaves: the run still marked running, its step saved as started but never finished.
        var run = maintenance.Store.Create(new MaintenanceRun("crashed0001", "sandbox", MaintenanceOperation.Restart, "tester", now)
        {
            State = RunState.Running, UpdatedAt = now,
            Steps = [new MaintenanceStep(0, NodeAction.Restart, 4, "node 4", true, "sandbox") { State = StepState.Acting, ActionStartedAt = now }],
        });

        Assert.Equal(1, maintenance.Coordinator.RecoverInterrupted());
        run = maintenance.Coordinator.Get(run.Id)!;
        Assert.Equal(RunState.Paused, run.State);
        Assert.Equal(StepState.Interrupted, run.Steps[0].State);
        Assert.Contains("its action had started", run.PauseReason, StringComparison.Ordinal);
        Assert.True(run.NeedsResumeChoice);
        var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => maintenance.Coordinator.ResumeAsync(run.Id, ResumeMode.Default, TestMaintenance.Tester));
        Assert.Equal("resume-choice", Assert.Single(refused.Refusals).Rule);
        Assert.Contains("retry", refused.Refusals[0].ToPass, StringComparison.Ordinal);

        run = await maintenance.Coordinator.AbortAsync(run.Id, TestMaintenance.Tester);
        Assert.Equal(RunState.Aborted, run.State);
        Assert.Null(maintenance.Coordinator.Active("sandbox"));
    }
}
