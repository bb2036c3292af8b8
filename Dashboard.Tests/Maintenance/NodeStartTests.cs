using System.Collections.Concurrent;
using Dashboard.Core.Access;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Maintenance;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance;

/// <summary>Starting one node that is down is an operation of its own, with its checks, the role check and audit in the coordinator.</summary>
[Collection(SoloCollection.Name)]
public sealed class NodeStartTests(MaintenanceEnsemble ensemble) : IClassFixture<MaintenanceEnsemble>
{
    private sealed class TestAuditLog : IAuditLog
    {
        public ConcurrentQueue<AuditEntry> Entries { get; } = new();
        public void Record(AuditEntry entry) => Entries.Enqueue(entry);
    }

    [Fact]
    public async Task StartOfDownNode_PlannedAndRun_NodeServesAgain_ServingNodeRefused()
    {
        var audit = new TestAuditLog();
        await using var maintenance = new TestMaintenance(ensemble.Sandbox, settle: TimeSpan.FromSeconds(1), audit: audit);
        try
        {
            var leader = (await maintenance.PollAsync()).Leader!.Id!.Value;
            var node = ensemble.Sandbox.Voters.First(n => n.Id != leader).Id;
            var start = new MaintenanceRequest(MaintenanceOperation.Start, [node]);

            // A node that serves has nothing to start.
            var serving = await maintenance.Coordinator.PlanAsync("sandbox", start);
            Assert.False(serving.CanStart);
            Assert.Contains(serving.Refusals, r => r.Rule == MaintenanceRules.NodeDown && r.Detail.Contains("already serves", StringComparison.Ordinal));

            // Stopped by someone else (not by a run): the ensemble is degraded, and starting the node is allowed.
            await ensemble.Sandbox.StopNodeAsync(node);
            await WaitAsync(maintenance, s => s.Nodes.Any(n => n.Id == node && n.Role == NodeRole.Down));
            var plan = await maintenance.Coordinator.PlanAsync("sandbox", start);
            Assert.True(plan.CanStart, string.Join("; ", plan.Refusals));
            Assert.Equal(NodeAction.Start, Assert.Single(plan.Steps).Action);

            // A viewer is refused by the coordinator itself, and the refusal is audited there.
            var viewer = new MaintenanceActor("watcher", DashboardRole.Viewer);
            var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => maintenance.Coordinator.StartAsync("sandbox", start, viewer));
            Assert.True(refused.IsForbidden);
            Assert.Equal(MaintenanceRules.Role, Assert.Single(refused.Refusals).Rule);
            Assert.Contains(audit.Entries, e => e.Action == "maintenance-start" && e.Outcome == AuditOutcome.Failed && e.User == "watcher");
            Assert.Null(maintenance.Coordinator.Active("sandbox"));

            var run = await maintenance.Coordinator.StartAsync("sandbox", start, TestMaintenance.Tester);
            run = await maintenance.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(90));
            Assert.True(run.State == RunState.Succeeded, $"{run.State}: {run.PauseReason}");
            Assert.True((await maintenance.PollAsync()).Nodes.Single(n => n.Id == node).IsServing);
            Assert.Contains(audit.Entries, e => e.Action == "maintenance-step" && e.Outcome == AuditOutcome.Succeeded && e.Detail!.Contains("start", StringComparison.Ordinal));
        }
        finally
        {
            await maintenance.WaitUntilWholeAsync();
        }
    }

    private static async Task WaitAsync(TestMaintenance maintenance, Func<EnsembleSnapshot, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition(await maintenance.PollAsync()))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the ensemble never reached the expected state");
            await Task.Delay(200);
        }
    }
}
