using Dashboard.Core.Maintenance;
using Dashboard.Core.Maintenance.Kafka;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance.Kafka;

/// <summary>Broker rolls refused on a degraded cluster, and a failing broker control that pauses the run.</summary>
[Collection(SoloCollection.Name)]
public sealed class BrokerRollRefusalTests(KafkaMaintenanceCluster cluster) : IClassFixture<KafkaMaintenanceCluster>
{
    [Fact]
    public async Task KafkaRollingRestart_UnderReplicatedPartitions_RefusedNamingThePartitionAndTheRule()
    {
        await using var maintenance = new TestMaintenance(cluster.Sandbox, kafka: cluster.Kafka);
        try
        {
            await cluster.Kafka.KillBrokerAsync(2);
            await cluster.Kafka.WaitUntilAsync(s => s.AllPartitions.All(p => p.State is { } st && !st.Isr.Contains(2)), TimeSpan.FromSeconds(30));

            var plan = await maintenance.Coordinator.PlanAsync("sandbox", MaintenanceRequest.KafkaRollingRestart);
            var refused = await Assert.ThrowsAsync<MaintenanceRefusedException>(() =>
                maintenance.Coordinator.StartAsync("sandbox", new MaintenanceRequest(MaintenanceOperation.KafkaRestart, [1]), TestMaintenance.Tester));

            Assert.False(plan.CanStart);
            Assert.Contains(plan.Refusals, r => r.Rule == KafkaBrokerRollChecks.BrokersPresent && r.Subject == "broker 2");
            // One ZooKeeper voter: it cannot lose one, so a roll needs the typed acknowledgement; with it that rule passes.
            Assert.Contains(plan.Refusals, r => r.Rule == MaintenanceRules.ZooKeeperCanLoseVoter && r.ToPass!.Contains("type 'accept'", StringComparison.Ordinal));
            var acknowledged = await maintenance.Coordinator.PlanAsync("sandbox", KafkaMaintenanceCluster.Acknowledged(MaintenanceRequest.KafkaRollingRestart));
            Assert.Contains(acknowledged.Checks, c => c.Rule == MaintenanceRules.ZooKeeperCanLoseVoter && c.Passed && c.Detail.Contains("accepted the risk", StringComparison.Ordinal));
            foreach (var checks in new[] { plan.Refusals.ToList(), refused.Refusals.ToList() })
            {
                Assert.Contains(checks, r => r.Rule == BrokerRestartRule.UnderReplicated && r.Subject == $"{KafkaMaintenanceCluster.Topic}-0"
                    && r.ToPass!.Contains($"bring replicas 2 of {KafkaMaintenanceCluster.Topic}-0 back in sync", StringComparison.Ordinal));
                Assert.Contains(checks, r => r.Rule == BrokerRestartRule.Rule && r.Subject.StartsWith(KafkaMaintenanceCluster.Topic + "-", StringComparison.Ordinal)
                    && r.Detail.Contains("drops it below min ISR", StringComparison.Ordinal));
            }
            Assert.Null(maintenance.Coordinator.Active("sandbox"));
        }
        finally
        {
            await cluster.WaitUntilWholeAsync();
        }
    }

    [Fact]
    public async Task KafkaRollingRestart_FailingBrokerControl_PausesAndTouchesNoBroker()
    {
        var failing = new NodeControlSettings(NodeControlKind.Command) { Restart = ["sh", "-c", "echo cannot reach {host} broker {id} >&2; exit 3"], ActionTimeout = TimeSpan.FromSeconds(2) };
        await using var maintenance = new TestMaintenance(cluster.Sandbox, kafka: cluster.Kafka, brokerControl: failing);
        await cluster.WaitUntilWholeAsync();
        var epochs = (await cluster.Kafka.Reader.ReadAsync()).Brokers.ToDictionary(b => b.Key, b => b.Value.Epoch);

        var run = await maintenance.Coordinator.StartAsync("sandbox", KafkaMaintenanceCluster.Acknowledged(MaintenanceRequest.KafkaRollingRestart), TestMaintenance.Tester);
        run = await maintenance.WaitUntilSettledAsync(run.Id, TimeSpan.FromSeconds(30));

        Assert.Equal(RunState.Paused, run.State);
        Assert.Contains("exited with code 3", run.PauseReason, StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, run.Steps[0].State);
        Assert.All(run.Steps.Skip(1), s => Assert.Null(s.ActionStartedAt));
        Assert.Contains(run.Log, l => l.Message.Contains($"broker {run.Steps[0].NodeId}", StringComparison.Ordinal) && l.Message.Contains("cannot reach", StringComparison.Ordinal));
        var after = await cluster.Kafka.Reader.ReadAsync();
        Assert.Equal(epochs, after.Brokers.ToDictionary(b => b.Key, b => b.Value.Epoch));
        await maintenance.Coordinator.AbortAsync(run.Id, TestMaintenance.Tester);
    }
}
