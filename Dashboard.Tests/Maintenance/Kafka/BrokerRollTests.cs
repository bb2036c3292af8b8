using System.Collections.Concurrent;
using System.Diagnostics;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Maintenance.Kafka;
using Dashboard.Tests.Support;
using Xunit.Abstractions;

namespace Dashboard.Tests.Maintenance.Kafka;

/// <summary>A real broker roll of 3 sandbox brokers through the maintenance executor.</summary>
[Collection(SoloCollection.Name)]
public sealed class BrokerRollTests(KafkaMaintenanceCluster cluster, ITestOutputHelper output) : IClassFixture<KafkaMaintenanceCluster>
{
    [Fact]
    public async Task KafkaRollingRestart_HealthyCluster_RestartsEachBrokerOnceControllerLastWithNewEpochsAndNoUnderReplicatedBetween()
    {
        await using var maintenance = new TestMaintenance(cluster.Sandbox, settle: TimeSpan.FromSeconds(1), stepTimeout: TimeSpan.FromSeconds(60), kafka: cluster.Kafka);
        var before = await cluster.Kafka.Reader.ReadAsync();
        var controller = before.Controller!.BrokerId;
        var epochs = before.Brokers.ToDictionary(b => b.Key, b => b.Value.Epoch);

        var plan = await maintenance.Coordinator.PlanAsync("sandbox", KafkaMaintenanceCluster.Acknowledged(MaintenanceRequest.KafkaRollingRestart));
        Assert.True(plan.CanStart, string.Join("; ", plan.Refusals));
        Assert.Equal(controller, plan.Steps[^1].NodeId);

        // Samples the cluster throughout: how many brokers are away at once, and the under-replicated count over time.
        using var stop = new CancellationTokenSource();
        var samples = new ConcurrentQueue<(DateTimeOffset At, int Registered, int UnderReplicated)>();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var s = await cluster.Kafka.Reader.ReadAsync();
                samples.Enqueue((DateTimeOffset.UtcNow, s.Brokers.Count, PartitionReplicas.From(s).Count(p => p.UnderReplicated)));
                await Task.Delay(50);
            }
        });

        var clock = Stopwatch.StartNew();
        var run = await maintenance.Coordinator.StartAsync("sandbox", KafkaMaintenanceCluster.Acknowledged(MaintenanceRequest.KafkaRollingRestart), TestMaintenance.Tester);
        run = await maintenance.WaitUntilSettledAsync(run.Id, TimeSpan.FromMinutes(3));
        var duration = clock.Elapsed;
        await stop.CancelAsync();
        await watcher;

        Assert.True(run.State == RunState.Succeeded, $"run ended {run.State}: {run.PauseReason}\n{string.Join('\n', run.Log.Select(l => l.Message))}");
        Assert.Equal([1, 2, 3], run.Steps.Select(s => s.NodeId).Order());
        Assert.Equal(controller, run.Steps[^1].NodeId);
        var after = await cluster.Kafka.Reader.ReadAsync();
        Assert.All(epochs, e => Assert.NotEqual(e.Value, after.Brokers[e.Key].Epoch));
        Assert.Equal(0, PartitionReplicas.From(after).Count(p => p.UnderReplicated));

        // One broker away at a time, and the cluster whole again (all registered, nothing under-replicated) between brokers.
        Assert.True(samples.Min(s => s.Registered) >= 2, "two brokers were away at once");
        Assert.Contains(samples, s => s.UnderReplicated > 0);
        for (var i = 1; i < run.Steps.Length; i++)
        {
            var (from, to) = (run.Steps[i - 1].ActionFinishedAt!.Value, run.Steps[i].ActionStartedAt!.Value);
            Assert.Contains(samples, s => s.At > from && s.At < to && s.Registered == 3 && s.UnderReplicated == 0);
            Assert.DoesNotContain(samples, s => s.At > run.Steps[i - 1].FinishedAt!.Value && s.At < to && s.UnderReplicated > 0);
        }
        output.WriteLine($"kafka rolling restart of 3 brokers (settle 1 s): {duration.TotalSeconds:0.0} s; controller {controller} last");
        foreach (var step in run.Steps)
            output.WriteLine($"step {step.Index + 1}: {step.Node} {(step.FinishedAt - step.ActionStartedAt)?.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task KafkaRollingRestart_WithPreferredElection_EndsWithPreferredLeadersAndNoPendingElection()
    {
        await using var maintenance = new TestMaintenance(cluster.Sandbox, settle: TimeSpan.FromSeconds(1), stepTimeout: TimeSpan.FromSeconds(60), kafka: cluster.Kafka);
        await cluster.Kafka.WaitUntilAsync(s => PartitionReplicas.From(s).All(p => !p.UnderReplicated) && s.Controller is not null, TimeSpan.FromSeconds(30));
        var request = KafkaMaintenanceCluster.Acknowledged(MaintenanceRequest.KafkaRollingRestart) with { PreferredElection = true };

        var plan = await maintenance.Coordinator.PlanAsync("sandbox", request);
        Assert.True(plan.CanStart, string.Join("; ", plan.Refusals));
        Assert.Equal(NodeAction.PreferredElection, plan.Steps[^1].Action);
        Assert.Equal(3, plan.Steps.Count(s => s.Action == NodeAction.Restart));

        var run = await maintenance.Coordinator.StartAsync("sandbox", request, TestMaintenance.Tester);
        run = await maintenance.WaitUntilSettledAsync(run.Id, TimeSpan.FromMinutes(3));

        Assert.True(run.State == RunState.Succeeded, $"run ended {run.State}: {run.PauseReason}\n{string.Join('\n', run.Log.Select(l => l.Message))}");
        var election = run.Steps[^1];
        Assert.Equal(NodeAction.PreferredElection, election.Action);
        Assert.True(election.ActionStartedAt > run.Steps[^2].FinishedAt, "the election was requested before the last broker was done");
        Assert.Contains(run.Log, l => l.Message.Contains("requested a preferred leader election", StringComparison.Ordinal));
        var after = await cluster.Kafka.Reader.ReadAsync();
        Assert.Null(after.Admin.PreferredElection); // processed: the controller deleted the request
        Assert.Empty(Dashboard.Core.Kafka.PreferredLeaderElection.OffPreferred(after, null));
        Assert.Equal(0, PartitionReplicas.From(after).Count(p => p.UnderReplicated));
    }
}
