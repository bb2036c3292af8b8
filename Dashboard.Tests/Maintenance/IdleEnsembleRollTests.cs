using Dashboard.Core.Maintenance;
using Dashboard.Tests.Support;
using Xunit.Abstractions;

namespace Dashboard.Tests.Maintenance;

/// <summary>
/// Rolling restarts on an ensemble nobody writes to: after each election the leader reports its new epoch's start
/// while followers keep the old epoch's last zxid. Two rolls back to back must both complete (the second one used
/// to stall at step 1, waiting for a zxid no follower would reach until someone wrote).
/// </summary>
[Collection(SoloCollection.Name)]
public sealed class IdleEnsembleRollTests(MaintenanceEnsemble ensemble, ITestOutputHelper output) : IClassFixture<MaintenanceEnsemble>
{
    [Fact]
    public async Task TwoRollingRestartsBackToBack_IdleEnsemble_BothComplete_AndTheWaitIsShown()
    {
        await using var maintenance = new TestMaintenance(ensemble.Sandbox, settle: TimeSpan.FromSeconds(1), stepTimeout: TimeSpan.FromSeconds(60));
        var before = await maintenance.PollAsync();
        output.WriteLine($"leader zxid before: {before.Leader?.Zxid}; others: {string.Join(", ", before.Nodes.Where(n => n != before.Leader).Select(n => n.Zxid?.ToString()))}");
        for (var roll = 1; roll <= 2; roll++)
        {
            var run = await maintenance.Coordinator.StartAsync("sandbox", MaintenanceRequest.RollingRestart, TestMaintenance.Tester);
            StepWait? seen = null;
            while (maintenance.Coordinator.Get(run.Id) is { State: RunState.Running } running)
            {
                if (running.Wait is { Settling: false, Unmet.Count: > 0 } wait) seen ??= wait;
                await Task.Delay(100);
            }
            run = maintenance.Coordinator.Get(run.Id)!;
            Assert.True(run.State == RunState.Succeeded, $"roll {roll} ended {run.State}: {run.PauseReason}\n{string.Join('\n', run.Log.Select(l => l.Message))}");
            Assert.All(run.Steps, s => Assert.Equal(StepState.Succeeded, s.State));
            // While it waited, the run said for what and since when.
            Assert.NotNull(seen);
            Assert.True(seen.Since <= DateTimeOffset.UtcNow && seen.Deadline > seen.Since);
            output.WriteLine($"roll {roll}: {(run.FinishedAt - run.CreatedAt)?.TotalSeconds:0.0} s; one wait seen: since {seen.Since:HH:mm:ss.f}: {string.Join("; ", seen.Unmet)}");
            var after = await maintenance.PollAsync();
            output.WriteLine($"  leader zxid after: {after.Leader?.Zxid}; others: {string.Join(", ", after.Nodes.Where(n => n != after.Leader).Select(n => n.Zxid?.ToString()))}");
        }
    }
}
