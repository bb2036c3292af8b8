using Dashboard.Core.Ensemble;
using Dashboard.Core.Maintenance;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance;

/// <summary>Refusals name the rule, the node and what would make them pass; nothing is touched.</summary>
[Collection(SoloCollection.Name)]
public sealed class RefusalTests(MaintenanceEnsemble ensemble) : IClassFixture<MaintenanceEnsemble>
{
    [Fact]
    public async Task RollingRestart_FollowerAlreadyDown_RefusedNamingTheNodeAndQuorum()
    {
        await using var maintenance = new TestMaintenance(ensemble.Sandbox);
        var leader = (await maintenance.PollAsync()).Leader!.Id!.Value;
        var follower = ensemble.Sandbox.Voters.First(n => n.Id != leader).Id;
        await ensemble.Sandbox.StopNodeAsync(follower);
        try
        {
            var plan = await maintenance.Coordinator.PlanAsync("sandbox", MaintenanceRequest.RollingRestart);
            Assert.False(plan.CanStart);
            var down = Assert.Single(plan.Refusals, r => r.Rule == MaintenanceRules.NodesServing);
            Assert.Contains($"node {follower}", down.Subject, StringComparison.Ordinal);
            Assert.Contains("down", down.Detail, StringComparison.Ordinal);
            Assert.Contains($"bring node {follower} back", down.ToPass, StringComparison.Ordinal);
            // Each remaining voter would leave 1 of 3: below the quorum of 2.
            var quorum = plan.Refusals.Where(r => r.Rule == MaintenanceRules.QuorumKept).ToList();
            Assert.Equal(2, quorum.Count);
            Assert.All(quorum, r => Assert.Contains("below the quorum of 2", r.Detail, StringComparison.Ordinal));
            Assert.DoesNotContain(plan.Refusals, r => r.Subject.Contains("node 4", StringComparison.Ordinal) && r.Rule == MaintenanceRules.QuorumKept);

            var pids = ensemble.Sandbox.Nodes.ToDictionary(n => n.Id, n => n.ProcessId);
            var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => maintenance.Coordinator.StartAsync("sandbox", MaintenanceRequest.RollingRestart, TestMaintenance.Tester));
            Assert.Contains(refused.Refusals, r => r.Rule == MaintenanceRules.NodesServing);
            Assert.Null(maintenance.Coordinator.Active("sandbox"));
            Assert.Empty(maintenance.Coordinator.List("sandbox"));
            Assert.All(ensemble.Sandbox.Nodes, n => Assert.Equal(pids[n.Id], n.ProcessId));
        }
        finally
        {
            await maintenance.WaitUntilWholeAsync();
        }
    }

    [Fact]
    public async Task SecondRun_SameCluster_RefusedEvenAfterDashboardRestart()
    {
        await using var first = new TestMaintenance(ensemble.Sandbox);
        var observer = ensemble.Sandbox.Observers.First().Id;
        try
        {
            // Stopping the observer for maintenance holds the run (and the cluster's lock) until it is resumed.
            var run = await first.Coordinator.StartAsync("sandbox", new MaintenanceRequest(MaintenanceOperation.Stop, [observer]), TestMaintenance.Tester);
            run = await first.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(60));
            Assert.Equal(RunState.Paused, run.State);
            Assert.True(run.Held, run.PauseReason);
            Assert.Contains("away for maintenance", run.PauseReason, StringComparison.Ordinal);
            Assert.Equal([observer], run.Away);

            var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => first.Coordinator.StartAsync("sandbox", MaintenanceRequest.RollingRestart, new MaintenanceActor("someone-else", Dashboard.Core.Access.DashboardRole.Operator)));
            var rule = Assert.Single(refused.Refusals, r => r.Rule == MaintenanceRules.OneRunPerCluster);
            Assert.Contains(run.Id, rule.Detail, StringComparison.Ordinal);
            Assert.Contains($"abort run {run.Id}", rule.ToPass, StringComparison.Ordinal);
            // The node away for maintenance is refused too, by name: the plan sees the ensemble as it is.
            Assert.Contains(refused.Refusals, r => r.Rule == MaintenanceRules.NodesServing && r.Subject.Contains($"node {observer}", StringComparison.Ordinal));

            // A second dashboard process on the same database (or this one after a restart) sees the same lock.
            await using var second = new TestMaintenance(ensemble.Sandbox, folder: first.Folder);
            Assert.Equal(0, second.Coordinator.RecoverInterrupted());
            Assert.Equal(run.Id, second.Coordinator.Active("sandbox")?.Id);
            var again = await Assert.ThrowsAsync<MaintenanceRefusedException>(() => second.Coordinator.StartAsync("sandbox", new MaintenanceRequest(MaintenanceOperation.Restart, [1]), TestMaintenance.Tester));
            Assert.Contains(again.Refusals, r => r.Rule == MaintenanceRules.OneRunPerCluster);

            // Bringing the node back ends the run and frees the cluster.
            run = await second.Coordinator.ResumeAsync(run.Id, ResumeMode.Default, TestMaintenance.Tester);
            run = await second.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(60));
            Assert.Equal(RunState.Succeeded, run.State);
            Assert.Null(second.Coordinator.Active("sandbox"));
            Assert.Equal(NodeRole.Observer, (await second.PollAsync()).Nodes.Single(n => n.Id == observer).Role);
        }
        finally
        {
            await first.WaitUntilWholeAsync();
        }
    }
}
