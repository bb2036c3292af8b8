using Dashboard.Core.Kafka;
using Dashboard.Core.Kafka.Sandbox;

namespace Dashboard.Tests.Kafka;

/// <summary>Analysis and diff on hand-built snapshots (no ZooKeeper needed).</summary>
public sealed class KafkaClusterAnalysisTests
{
    private static KafkaPartition Partition(string topic, int p, int[] replicas, int leader, int[] isr, int epoch = 0) =>
        new(new TopicPartition(topic, p), replicas, new PartitionState(leader, epoch, isr, 1, LeaderRecoveryState.Recovered, 0), null);

    private static KafkaClusterSnapshot Snapshot(int[] brokers, IReadOnlyDictionary<string, EntityConfig>? brokerConfigs = null, params KafkaTopic[] topics) => new(
        "", DateTimeOffset.UnixEpoch, "id", null, 1,
        brokers.ToDictionary(id => id, id => new KafkaBroker(id, 100 + id, null, null)),
        topics.ToDictionary(t => t.Name),
        brokerConfigs ?? new Dictionary<string, EntityConfig>(),
        PendingAdminRequests.None, []);

    private static KafkaTopic Topic(string name, EntityConfig? config, params KafkaPartition[] partitions) =>
        new(name, null, config ?? EntityConfig.Empty, partitions, false, null);

    [Fact]
    public void Analyze_MinIsrFromBrokerDefault_FlagsUnderMinIsrAndPreferredShare()
    {
        var defaults = new Dictionary<string, EntityConfig> { [KafkaClusterSnapshot.DefaultBrokerConfigKey] = new(new Dictionary<string, string> { ["min.insync.replicas"] = "2" }) };
        var snapshot = Snapshot([1, 2], defaults, Topic("t", null,
            Partition("t", 0, [1, 2, 3], 1, [1, 2]),
            Partition("t", 1, [2, 3, 1], 1, [1]),
            Partition("t", 2, [3, 1, 2], -1, [3])));

        var analysis = KafkaClusterAnalysis.Analyze(snapshot);

        var topic = Assert.Single(analysis.Topics);
        Assert.Equal((3, 3, 3, 1, 2), (topic.Partitions, topic.ReplicationFactor, topic.UnderReplicated, topic.Offline, topic.UnderMinIsr));
        Assert.Equal(1.0 / 3, topic.PreferredLeaderShare!.Value, 3);
        Assert.Equal([3], analysis.Partitions[0].OutOfSyncReplicas);
        var missing = Assert.Single(analysis.Brokers, b => b.Status == BrokerStatus.Missing);
        Assert.Equal((3, 0, 3, 0, 3), (missing.Id, missing.PartitionsLed, missing.ReplicasHeld, missing.UnderReplicatedLed, missing.UnderReplicatedReplicas));
        Assert.Equal(2, analysis.Brokers.Single(b => b.Id == 1).PartitionsLed);
    }

    [Fact]
    public void Analyze_StateOnlyChange_ReusesUnchangedTopicsAndMatchesAFullAnalysis()
    {
        var a = Topic("a", null, Partition("a", 0, [1, 2], 1, [1, 2]), Partition("a", 1, [2, 1], 2, [2, 1]));
        var b = Topic("b", null, Partition("b", 0, [2, 1], 2, [2, 1]));
        var before = Snapshot([1, 2], null, b, a);
        var first = KafkaClusterAnalysis.Analyze(before);
        // As the watcher patches a state: same brokers, configs and controller, one topic record replaced.
        var shrunk = a with { Partitions = [a.Partitions[0], Partition("a", 1, [2, 1], 2, [2])] };
        var after = before with { Topics = new Dictionary<string, KafkaTopic>(before.Topics) { ["a"] = shrunk } };

        var incremental = KafkaClusterAnalysis.Analyze(after, before, first);
        var full = KafkaClusterAnalysis.Analyze(after);

        Assert.Same(first.Topics.Single(t => t.Name == "b"), incremental.Topics.Single(t => t.Name == "b"));
        Assert.Same(first.Partitions.Single(p => p.Partition.Id.Topic == "b"), incremental.Partitions.Single(p => p.Partition.Id.Topic == "b"));
        Assert.Equal(full.Topics, incremental.Topics);
        Assert.Equal(full.Brokers, incremental.Brokers);
        Assert.Equal(full.Partitions.Select(Flags), incremental.Partitions.Select(Flags));
        Assert.Equal(1, incremental.UnderReplicatedCount);
        Assert.Equal(1, incremental.Brokers.Single(x => x.Id == 2).UnderReplicatedLed);
    }

    private static (TopicPartition, int, int, bool, bool, bool, bool) Flags(PartitionHealth p) =>
        (p.Partition.Id, p.MinInsyncReplicas, p.ReplicationFactor, p.UnderReplicated, p.Offline, p.UnderMinIsr, p.OnPreferredLeader);

    [Fact]
    public void Analyze_BrokersChanged_NothingReused()
    {
        var t = Topic("t", null, Partition("t", 0, [1, 2], 2, [1, 2]));
        var before = Snapshot([1, 2], null, t);
        var first = KafkaClusterAnalysis.Analyze(before);
        // Broker 2 gone, the topic record untouched: its leader is no longer live, so the topic must be assessed again.
        var after = before with { Brokers = new Dictionary<int, KafkaBroker> { [1] = before.Brokers[1] } };

        var analysis = KafkaClusterAnalysis.Analyze(after, before, first);

        Assert.NotSame(first.Topics[0], analysis.Topics[0]);
        Assert.Equal(1, analysis.OfflineCount);
        Assert.Equal(KafkaClusterAnalysis.Analyze(after).Brokers, analysis.Brokers);
    }

    [Fact]
    public void Analyze_TopicOverrideBeatsBrokerDefault()
    {
        var defaults = new Dictionary<string, EntityConfig> { [KafkaClusterSnapshot.DefaultBrokerConfigKey] = new(new Dictionary<string, string> { ["min.insync.replicas"] = "3" }) };
        var topic = Topic("t", new EntityConfig(new Dictionary<string, string> { ["min.insync.replicas"] = "1" }), Partition("t", 0, [1, 2, 3], 1, [1]));

        Assert.Equal(1, Snapshot([1], defaults, topic).MinInsyncReplicas(topic));
        Assert.False(KafkaClusterAnalysis.Analyze(Snapshot([1], defaults, topic)).Partitions[0].UnderMinIsr);
    }

    [Fact]
    public void Compare_BrokerBouncedAndPartitionBackOnline_Events()
    {
        var before = Snapshot([1, 2], null, Topic("t", null, Partition("t", 0, [2], -1, [2])));
        var after = Snapshot([1, 2], null, Topic("t", null, Partition("t", 0, [2], 2, [2], 1))) with
        {
            Brokers = new Dictionary<int, KafkaBroker> { [1] = new(1, 101, null, null), [2] = new(2, 999, null, null) },
        };

        var events = KafkaSnapshotDiff.Compare(before, after);

        Assert.Equal([KafkaEventKind.BrokerRestarted, KafkaEventKind.PartitionOnline], events.Select(e => e.Kind));
        Assert.Equal(2, events[0].BrokerId);
    }

    [Fact]
    public void Assign_ThreeBrokersSixPartitionsRf3_KafkaSpread()
    {
        var assignment = ReplicaAssignment.Assign([1, 2, 3], 6, 3, new Random(7));

        Assert.All(assignment.Values, r => Assert.Equal(3, r.Distinct().Count()));
        Assert.All(assignment.Values.GroupBy(r => r[0]), g => Assert.Equal(2, g.Count()));
        // The follower shift moves after every n partitions, so followers differ between the two rounds.
        Assert.NotEqual(assignment[0][1], assignment[3][1]);
        Assert.Throws<ArgumentException>(() => ReplicaAssignment.Assign([1, 2], 1, 3, new Random(7)));
    }
}
