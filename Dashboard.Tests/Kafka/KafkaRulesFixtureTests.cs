using Dashboard.Core.Kafka;
using Dashboard.Core.Maintenance.Kafka;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Kafka.Fixtures;
using Dashboard.Tests.Support;
using static Dashboard.Tests.Kafka.Fixtures.KafkaFormats;

namespace Dashboard.Tests.Kafka;

/// <summary>
/// Kafka's own counting rules (TopicCommand, ControllerContext, Kafka 3.9) against znodes in Kafka's exact 2.x and 3.9
/// formats, written into a real ZooKeeper by kazoo (a second client); each expected number is what Kafka would report.
/// Each test writes under a chroot of its own.
/// </summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class KafkaRulesFixtureTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private readonly string _root = $"/rules-{Guid.NewGuid():N}";
    private KazooSession _kazoo = null!;
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync()
    {
        _kazoo = KazooSession.Start(ensemble.Sandbox.ConnectString);
        _client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
    }

    public async Task DisposeAsync()
    {
        await _kazoo.DisposeAsync();
        await _client.DisposeAsync();
    }

    private Task Write(string path, string data, bool ephemeral = false, string? client = null) => _kazoo.CreateAsync(_root + path, data, ephemeral, client);

    /// <summary>Each broker registers from a session of its own, as a real broker does.</summary>
    private async Task Brokers(Func<int, string> format, params int[] ids)
    {
        foreach (var id in ids) await Write($"/brokers/ids/{id}", format(id), ephemeral: true, client: $"broker{id}");
    }

    private async Task Topic(string name, string assignment, params string[] states)
    {
        await Write($"/brokers/topics/{name}", assignment);
        for (var p = 0; p < states.Length; p++) await Write($"/brokers/topics/{name}/partitions/{p}/state", states[p]);
    }

    private Task<KafkaClusterSnapshot> ReadAsync() => new KafkaMetadataReader(_client, _root).ReadAsync();

    [Fact]
    public async Task Offline_LeaderNotRegistered_CountsAsKafkaDoesAndLeavesDeletionQueuedTopicsOut()
    {
        await Brokers(BrokerV5, 1, 2);
        await Write("/controller", ControllerV2(1), ephemeral: true, client: "broker1");
        await Write("/controller_epoch", "7");
        await Topic("orders", TopicV3([[1, 2], [3, 1], [2, 1]]),
            State(1, [1, 2]),
            State(3, [3]),       // led by broker 3, which is not registered: offline for Kafka
            State(-1, [2]));     // no leader
        await Topic("doomed", TopicV3([[3]], topicId: "AAAAAAAAAAAAAAAAAAAAAA"), State(-1, [3]));
        await Write("/admin/delete_topics/doomed", "");

        var snapshot = await ReadAsync();
        var analysis = KafkaClusterAnalysis.Analyze(snapshot);

        var orders = analysis.Topics.Single(t => t.Name == "orders");
        Assert.Equal(2, orders.Offline);
        Assert.True(analysis.Partitions.Single(p => p.Partition.Id == new TopicPartition("doomed", 0)).Offline);
        Assert.Equal(2, analysis.OfflineCount); // doomed-0 is offline but queued for deletion
        Assert.True(analysis.Partitions.Single(p => p.Partition.Id == new TopicPartition("orders", 1)).UnderMinIsr); // no live leader
        var broker3 = analysis.Brokers.Single(b => b.Id == 3);
        Assert.Equal((BrokerStatus.Missing, 0), (broker3.Status, broker3.PartitionsLed)); // an unregistered broker leads nothing
    }

    [Fact]
    public async Task EveryBrokerSessionExpires_EveryPartitionOfflineNoControllerEventsWritten()
    {
        await Brokers(BrokerV5, 1, 2, 3);
        await Write("/controller", ControllerV2(2), ephemeral: true, client: "broker2");
        await Write("/controller_epoch", "4");
        await Topic("t", TopicV3([[1, 2, 3], [2, 3, 1], [3, 1, 2]]), State(1, [1, 2, 3]), State(2, [2, 3, 1]), State(3, [3, 1, 2]));
        await using var watcher = new KafkaClusterWatcher(_client, new KafkaWatcherOptions { Chroot = _root, Debounce = TimeSpan.FromMilliseconds(50) });
        var updates = new List<KafkaClusterUpdate>();
        var ended = new TaskCompletionSource<ControllerChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.History.Ended += term => ended.TrySetResult(term);
        using var subscription = watcher.Subscribe(u => { lock (updates) updates.Add(u); });
        await watcher.StartAsync();
        Assert.Equal(0, KafkaClusterAnalysis.Analyze(watcher.Current!).OfflineCount);

        // Every broker's session ends; nobody is left to rewrite the partition states, which still name leaders.
        foreach (var id in new[] { 1, 2, 3 }) await _kazoo.CloseAsync($"broker{id}");

        var term = await ended.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal((2, 4), (term.BrokerId, term.Epoch));
        await WaitAsync(() => watcher.Current is { Brokers.Count: 0, Controller: null });
        var snapshot = watcher.Current!;
        var analysis = KafkaClusterAnalysis.Analyze(snapshot);
        Assert.Equal(3, analysis.OfflineCount);
        Assert.All(analysis.Partitions, p => Assert.True(p.Offline && p.UnderMinIsr, p.Partition.Id.ToString()));
        Assert.All(analysis.Brokers, b => Assert.Equal((BrokerStatus.Missing, 0), (b.Status, b.PartitionsLed)));
        Assert.Null(watcher.History.Current);
        Assert.NotNull(watcher.History.Changes.Single().Ended);
        List<KafkaClusterEvent> events;
        lock (updates) events = updates.SelectMany(u => u.Events).ToList();
        Assert.Equal([1, 2, 3], events.Where(e => e.Kind == KafkaEventKind.BrokerGone).Select(e => e.BrokerId!.Value).Order());
        Assert.Contains(events, e => e.Kind == KafkaEventKind.ControllerChanged && e.BrokerId is null);
        Assert.Equal(3, events.Count(e => e.Kind == KafkaEventKind.PartitionOffline));
    }

    [Fact]
    public async Task MinIsr_TopicOverrideThenBrokerDefault_Kafka2xFormats()
    {
        await Brokers(id => BrokerV4(id, rack: "dc1"), 1, 2, 3);
        await Write("/controller", ControllerV1(1), ephemeral: true, client: "broker1");
        await Write("/config/brokers/<default>", Config(("min.insync.replicas", "3")));
        await Write("/config/topics/relaxed", Config(("min.insync.replicas", "1"), ("retention.ms", "86400000")));
        await Topic("strict", TopicV1([1, 2, 3]), State(1, [1, 2]));
        await Topic("relaxed", TopicV2([[1, 2, 3]]), State(1, [1]));

        var analysis = KafkaClusterAnalysis.Analyze(await ReadAsync());

        var strict = analysis.Partitions.Single(p => p.Partition.Id.Topic == "strict");
        var relaxed = analysis.Partitions.Single(p => p.Partition.Id.Topic == "relaxed");
        Assert.Equal((3, true, true), (strict.MinInsyncReplicas, strict.UnderMinIsr, strict.UnderReplicated));
        Assert.Equal((1, false, true), (relaxed.MinInsyncReplicas, relaxed.UnderMinIsr, relaxed.UnderReplicated));
        Assert.Equal("dc1", analysis.Brokers[0].Broker!.Registration!.Rack);
    }

    [Fact]
    public async Task Reassignment_RfIsReplicasMinusAdding_PreferredBeingAddedNotOff_PerBrokerCountsLed()
    {
        await Brokers(BrokerV5, 1, 2, 3, 4);
        await Write("/controller", ControllerV2(1), ephemeral: true, client: "broker1");
        // Partition 0 moves from [1,2,3] to [4,1,2]: Kafka writes target ++ origin, adding 4, removing 3.
        await Topic("moving", TopicV3([[4, 1, 2, 3], [1, 2, 3], [2, 4, 1, 3]],
                adding: new() { [0] = [4], [2] = [4] }, removing: new() { [0] = [3], [2] = [3] }),
            State(1, [1, 2, 3]),   // RF 3, ISR 3: not under-replicated; preferred 4 is still being added: not off preferred
            State(1, [1, 2]),      // RF 3, ISR 2: under-replicated, led by 1
            State(2, [2, 1, 3, 4])); // new preferred 2 leads
        await Write("/admin/reassign_partitions", Reassignment(("moving", 0, [4, 1, 2])));

        var snapshot = await ReadAsync();
        var analysis = KafkaClusterAnalysis.Analyze(snapshot);

        var p0 = analysis.Partitions[0];
        Assert.Equal((3, false, true, true), (p0.ReplicationFactor, p0.UnderReplicated, p0.OnPreferredLeader, p0.Reassigning));
        Assert.Equal([4], p0.AddingReplicas);
        Assert.Equal([3], p0.RemovingReplicas);
        Assert.True(analysis.Partitions[1].UnderReplicated);
        Assert.Equal(1, analysis.UnderReplicatedCount);
        Assert.Equal(0, analysis.OffPreferredCount);
        var topic = Assert.Single(analysis.Topics);
        Assert.Equal((3, 2, true, 1.0), (topic.ReplicationFactor, topic.Reassigning, topic.ReassignmentInProgress, topic.PreferredLeaderShare!.Value));
        // Kafka's UnderReplicatedPartitions is reported by the leader: broker 1 leads the one under-replicated partition.
        Assert.Equal((1, 1), (analysis.Brokers.Single(b => b.Id == 1).UnderReplicatedLed, analysis.Brokers.Single(b => b.Id == 1).UnderReplicatedReplicas));
        Assert.Equal((0, 1), (analysis.Brokers.Single(b => b.Id == 3).UnderReplicatedLed, analysis.Brokers.Single(b => b.Id == 3).UnderReplicatedReplicas));
        Assert.Equal([new TopicPartition("moving", 0)], snapshot.Admin.Reassignment!.Select(r => r.Partition));
        Assert.Equal(1, new PartitionQuery { Reassigning = false }.Run(analysis).Total);

        // The broker roll uses the same rule: only partition 1 is under-replicated.
        var roll = BrokerRestartRule.NoneUnderReplicated(PartitionReplicas.From(snapshot));
        var refusal = Assert.Single(roll);
        Assert.Equal(("moving-1", false), (refusal.Subject, refusal.Passed));
    }

    [Fact]
    public async Task PreferredLeader_AddedReplicaInIsrButNotLeading_IsOff()
    {
        await Brokers(BrokerV5, 1, 2, 4);
        await Topic("moving", TopicV3([[4, 1, 2]], adding: new() { [0] = [4] }), State(1, [1, 2, 4]));

        var snapshot = await ReadAsync();

        Assert.False(KafkaClusterAnalysis.Analyze(snapshot).Partitions[0].OnPreferredLeader); // Kafka: imbalanced once 4 joined the ISR
        Assert.Equal([new TopicPartition("moving", 0)], PreferredLeaderElection.OffPreferred(snapshot, null));
    }

    [Fact]
    public async Task PreferredShare_DeletionQueuedLeftOut_UnreadableTopicUnknown()
    {
        await Brokers(BrokerV5, 1, 2);
        await Topic("ok", TopicV3([[1, 2], [2, 1]]), State(1, [1, 2]), State(1, [1, 2]));
        await Topic("doomed", TopicV3([[1, 2]], topicId: "BBBBBBBBBBBBBBBBBBBBBB"), State(2, [1, 2]));
        await Write("/admin/delete_topics/doomed", "");
        await Write("/brokers/topics/garbled", """{"version":3,"partitions":"not a map"}""");

        var snapshot = await ReadAsync();
        var analysis = KafkaClusterAnalysis.Analyze(snapshot);

        Assert.Equal(0.5, analysis.Topics.Single(t => t.Name == "ok").PreferredLeaderShare);
        Assert.Null(analysis.Topics.Single(t => t.Name == "doomed").PreferredLeaderShare);
        var garbled = analysis.Topics.Single(t => t.Name == "garbled");
        Assert.True(garbled.Unreadable);
        Assert.Null(garbled.PreferredLeaderShare); // "unknown" on the page, never 100 %
        Assert.Equal(1, analysis.OffPreferredCount);
        Assert.Equal([new TopicPartition("ok", 1)], PreferredLeaderElection.OffPreferred(snapshot, null));
    }

    [Fact]
    public async Task LeaderRecoveryState_Recovering_Read()
    {
        await Brokers(BrokerV5, 1);
        await Topic("t", TopicV3([[1]]), State(1, [1], recovering: true));

        var snapshot = await ReadAsync();

        Assert.Equal(LeaderRecoveryState.Recovering, snapshot.Topics["t"].Partitions[0].State!.RecoveryState);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("condition not met within 60 s");
            await Task.Delay(50);
        }
    }
}
