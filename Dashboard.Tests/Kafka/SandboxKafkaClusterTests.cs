using Dashboard.Core.Kafka;
using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Kafka;

/// <summary>Sandbox brokers on the real shared ensemble, each test in its own chroot, read back with the reader.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class SandboxKafkaClusterTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private SandboxKafkaCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SandboxKafkaCluster.StartAsync(ensemble.Sandbox.ConnectString, new SandboxKafkaOptions { Chroot = $"/kafka-{Guid.NewGuid():N}" });
        await _cluster.CreateTopicAsync("orders", 6, 3, new Dictionary<string, string> { ["min.insync.replicas"] = "2" });
        await _cluster.CreateTopicAsync("logs", 3, 1);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static bool Settled(KafkaClusterSnapshot s) => KafkaClusterAnalysis.Analyze(s).UnderReplicatedCount == 0 && s.Controller is not null;

    [Fact]
    public async Task Read_ThreeBrokersTwoTopics_AllHealthyWithControllerAndConfigs()
    {
        var snapshot = await _cluster.WaitUntilAsync(Settled, Timeout);
        var analysis = KafkaClusterAnalysis.Analyze(snapshot);

        Assert.Equal([1, 2, 3], snapshot.Brokers.Keys.Order());
        Assert.All(snapshot.Brokers.Values, b => Assert.Equal(5, b.Registration!.Version));
        Assert.Equal(_cluster.Options.ClusterId, snapshot.ClusterId);
        Assert.Equal(1, snapshot.ControllerEpoch);
        Assert.Equal(await _cluster.CurrentControllerAsync(), snapshot.Controller!.BrokerId);
        Assert.Empty(snapshot.Unreadable);
        var orders = Assert.Single(analysis.Topics, t => t.Name == "orders");
        Assert.Equal((6, 3, 0, 0, 0, 1.0), (orders.Partitions, orders.ReplicationFactor, orders.UnderReplicated, orders.Offline, orders.UnderMinIsr, orders.PreferredLeaderShare));
        Assert.Equal(2, snapshot.MinInsyncReplicas(snapshot.Topics["orders"]));
        Assert.Equal(1, snapshot.MinInsyncReplicas(snapshot.Topics["logs"]));
        Assert.All(snapshot.AllPartitions, p => Assert.Equal(p.Replicas, p.State!.Isr));
        // Kafka's assignment spreads leaders round-robin: each broker prefers 2 of the 6 "orders" partitions.
        Assert.All(snapshot.Topics["orders"].Partitions.GroupBy(p => p.PreferredLeader), g => Assert.Equal(2, g.Count()));
        Assert.All(analysis.Brokers, b => Assert.Equal(BrokerStatus.Alive, b.Status));
        Assert.Equal(21, analysis.Brokers.Sum(b => b.ReplicasHeld));
        Assert.Equal(9, analysis.Brokers.Sum(b => b.PartitionsLed));
    }

    [Fact]
    public async Task KillBroker_NotController_IsrShrinksLeadersMoveRf1OfflineAndBrokerMissing()
    {
        var before = await _cluster.WaitUntilAsync(Settled, Timeout);
        var victim = _cluster.RunningBrokerIds.First(id => id != before.Controller!.BrokerId);

        await _cluster.KillBrokerAsync(victim);
        var after = await _cluster.WaitUntilAsync(s => !s.Brokers.ContainsKey(victim)
            && s.AllPartitions.All(p => p.Replicas.Count == 1 || !p.State!.Isr.Contains(victim))
            && s.AllPartitions.All(p => p.State!.Leader != victim), Timeout);

        var oldStates = before.AllPartitions.ToDictionary(p => p.Id, p => p.State!);
        foreach (var partition in after.Topics["orders"].Partitions)
        {
            var was = oldStates[partition.Id];
            var now = partition.State!;
            Assert.Equal(was.Isr.Where(r => r != victim), now.Isr);
            Assert.Equal(after.ControllerEpoch, now.ControllerEpoch);
            if (was.Leader == victim)
            {
                Assert.Equal(partition.Replicas.First(r => r != victim), now.Leader);
                Assert.Equal(was.LeaderEpoch + 1, now.LeaderEpoch);
            }
            else
            {
                Assert.Equal(was.Leader, now.Leader);
            }
        }
        var lostLogs = after.Topics["logs"].Partitions.Where(p => p.Replicas[0] == victim).ToList();
        Assert.NotEmpty(lostLogs);
        Assert.All(lostLogs, p =>
        {
            Assert.Equal(-1, p.State!.Leader);
            Assert.Equal([victim], p.State.Isr); // Kafka keeps the last ISR member so a clean election can bring it back
        });

        var analysis = KafkaClusterAnalysis.Analyze(after);
        var missing = Assert.Single(analysis.Brokers, b => b.Status == BrokerStatus.Missing);
        Assert.Equal(victim, missing.Id);
        Assert.Equal(0, missing.PartitionsLed);
        Assert.Equal(6, analysis.UnderReplicatedCount);
        Assert.Equal(lostLogs.Count, analysis.OfflineCount);
        Assert.Equal(0, analysis.Topics.Single(t => t.Name == "orders").UnderMinIsr);

        var events = KafkaSnapshotDiff.Compare(before, after);
        Assert.Contains(events, e => e.Kind == KafkaEventKind.BrokerGone && e.BrokerId == victim);
        Assert.Equal(6, events.Count(e => e.Kind == KafkaEventKind.IsrShrunk && e.Partition!.Value.Topic == "orders"));
        Assert.Equal(lostLogs.Select(p => p.Id).Order(), events.Where(e => e.Kind == KafkaEventKind.PartitionOffline).Select(e => e.Partition!.Value).Order());
        Assert.Equal(2, events.Count(e => e.Kind == KafkaEventKind.LeaderChanged));
        Assert.DoesNotContain(events, e => e.Kind == KafkaEventKind.ControllerChanged);
    }

    [Fact]
    public async Task KillController_OtherBrokerWinsAndEpochIncrements()
    {
        var before = await _cluster.WaitUntilAsync(Settled, Timeout);
        var old = before.Controller!.BrokerId;

        await _cluster.KillBrokerAsync(old);
        var after = await _cluster.WaitUntilAsync(s => s.Controller is { } c && c.BrokerId != old && s.AllPartitions.All(p => p.State!.Leader != old), Timeout);

        Assert.Equal(before.ControllerEpoch + 1, after.ControllerEpoch);
        Assert.Contains(after.Controller!.BrokerId, _cluster.RunningBrokerIds);
        Assert.True(after.Controller.Created >= before.Controller.Created);
        Assert.True(_cluster.Broker(after.Controller.BrokerId).IsController);
        Assert.Contains(KafkaSnapshotDiff.Compare(before, after), e => e.Kind == KafkaEventKind.ControllerChanged && e.BrokerId == after.Controller.BrokerId);
        // The new controller moved leadership off the dead one with its own epoch in the state.
        Assert.All(after.Topics["orders"].Partitions.Where(p => before.Topics["orders"].Partitions.Single(b => b.Id == p.Id).State!.Leader == old),
            p => Assert.Equal(after.ControllerEpoch, p.State!.ControllerEpoch));
    }

    [Fact]
    public async Task RestartBroker_NewEpochIsrRestoredThenPreferredElectionReturnsLeadership()
    {
        var before = await _cluster.WaitUntilAsync(Settled, Timeout);
        var victim = _cluster.RunningBrokerIds.First(id => id != before.Controller!.BrokerId);
        await _cluster.KillBrokerAsync(victim);
        await _cluster.WaitUntilAsync(s => s.AllPartitions.All(p => p.State!.Leader != victim), Timeout);

        await _cluster.StartBrokerAsync(victim);
        var restored = await _cluster.WaitUntilAsync(s => Settled(s) && s.Brokers.ContainsKey(victim) && s.AllPartitions.All(p => !p.State!.IsOffline), Timeout);

        Assert.NotEqual(before.Brokers[victim].Epoch, restored.Brokers[victim].Epoch);
        Assert.Contains(KafkaSnapshotDiff.Compare(before, restored), e => e.Kind == KafkaEventKind.BrokerRestarted && e.BrokerId == victim);
        var orders = KafkaClusterAnalysis.Analyze(restored).Topics.Single(t => t.Name == "orders");
        Assert.Equal(4.0 / 6, orders.PreferredLeaderShare!.Value, 3); // leadership does not come back by itself
        // RF 1 partitions came back online with their only replica, leader epoch bumped.
        Assert.All(restored.Topics["logs"].Partitions.Where(p => p.Replicas[0] == victim), p => Assert.Equal(victim, p.State!.Leader));

        await _cluster.RequestPreferredElectionAsync(restored.AllPartitions.Select(p => p.Id));
        var elected = await _cluster.WaitUntilAsync(s => s.Admin.PreferredElection is null, Timeout);

        Assert.All(KafkaClusterAnalysis.Analyze(elected).Partitions, p => Assert.True(p.OnPreferredLeader, p.Partition.Id.ToString()));
        var movedBack = elected.Topics["orders"].Partitions.Where(p => p.Replicas[0] == victim).ToList();
        Assert.All(movedBack, p => Assert.Equal(restored.Topics["orders"].Partitions.Single(r => r.Id == p.Id).State!.LeaderEpoch + 1, p.State!.LeaderEpoch));
    }

    [Fact]
    public async Task ControlledShutdown_LeadershipMovesBeforeBrokerLeaves()
    {
        var before = await _cluster.WaitUntilAsync(Settled, Timeout);
        var victim = _cluster.RunningBrokerIds.First(id => id != before.Controller!.BrokerId);

        var controller = _cluster.Broker(before.Controller!.BrokerId);
        Assert.True(controller.IsController, controller.LastError?.ToString());
        Assert.True(await _cluster.RequestControlledShutdownAsync(victim));
        await _cluster.Admin.SyncAsync(_cluster.Paths.Topics); // the controller may have written through another server
        var drained = await _cluster.Reader.ReadAsync();
        Assert.True(drained.Brokers.ContainsKey(victim)); // still registered: leadership moved first
        Assert.All(drained.Topics["orders"].Partitions, p => Assert.NotEqual(victim, p.State!.Leader));
        Assert.All(drained.Topics["orders"].Partitions, p => Assert.DoesNotContain(victim, p.State!.Isr));
        Assert.All(drained.Topics["logs"].Partitions.Where(p => p.Replicas[0] == victim), p => Assert.Equal(victim, p.State!.Leader));

        Assert.True(await _cluster.StopBrokerAsync(victim));
        var after = await _cluster.WaitUntilAsync(s => !s.Brokers.ContainsKey(victim) && s.AllPartitions.All(p => p.State!.Leader != victim), Timeout);

        Assert.All(after.Topics["orders"].Partitions, p => Assert.DoesNotContain(victim, p.State!.Isr));
        Assert.All(after.Topics["orders"].Partitions, p => Assert.NotEqual(victim, p.State!.Leader));
        Assert.All(after.Topics["logs"].Partitions.Where(p => p.Replicas[0] == victim), p => Assert.True(p.State!.IsOffline));
    }

    [Fact]
    public async Task PreferredElection_WhilePending_SecondRequestRefused()
    {
        await _cluster.WaitUntilAsync(Settled, Timeout);
        var controller = (await _cluster.CurrentControllerAsync())!.Value;
        // Without a controller nobody processes the request, so it stays pending.
        foreach (var id in _cluster.RunningBrokerIds) await _cluster.KillBrokerAsync(id);
        await _cluster.RequestPreferredElectionAsync([new TopicPartition("orders", 0)]);

        await Assert.ThrowsAsync<Dashboard.Core.ZooKeeper.NodeExistsException>(() => _cluster.RequestPreferredElectionAsync([new TopicPartition("orders", 1)]));
        var snapshot = await _cluster.Reader.ReadAsync();
        Assert.Equal([new TopicPartition("orders", 0)], snapshot.Admin.PreferredElection);
        Assert.Null(snapshot.Controller);

        await _cluster.StartBrokerAsync(controller);
        await _cluster.WaitUntilAsync(s => s.Admin.PreferredElection is null, Timeout);
    }
}

/// <summary>The <c>--sandbox</c> demo cluster, under a ZooKeeper chroot so it does not collide with other tests' trees.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class SandboxKafkaDemoTests(SharedEnsemble ensemble)
{
    [Fact]
    public async Task StartDemo_ThreeBrokersThreeTopics_HealthyAndDetectable()
    {
        var root = $"/demo-{Guid.NewGuid():N}";
        await using (var setup = await Dashboard.Core.ZooKeeper.ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString))
            await setup.CreateAsync(root, Array.Empty<byte>());

        await using var demo = await SandboxKafkaCluster.StartDemoAsync(ensemble.Sandbox.ConnectString + root);
        await using var client = await Dashboard.Core.ZooKeeper.ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString + root);
        var snapshot = await new KafkaMetadataReader(client).ReadAsync();

        Assert.Equal("/kafka", snapshot.Chroot);
        Assert.Equal(3, snapshot.Brokers.Count);
        Assert.Equal(["logs", "orders", "payments"], snapshot.Topics.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, KafkaClusterAnalysis.Analyze(snapshot).OfflineCount);
    }
}
