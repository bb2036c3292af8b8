using Dashboard.Core.Kafka;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Kafka.Fixtures;
using Dashboard.Tests.Support;
using static Dashboard.Tests.Kafka.Fixtures.KafkaFormats;

namespace Dashboard.Tests.Kafka;

/// <summary>
/// Changes reach the snapshot through watches, with the periodic full read set far out: an ISR change re-reads only
/// that state (no full read), and admin requests and config changes (written as Kafka writes them, by kazoo) show too.
/// </summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class KafkaIncrementalWatchTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private readonly string _root = $"/incremental-{Guid.NewGuid():N}";
    private KazooSession _kazoo = null!;
    private ZooKeeperClient _client = null!;
    private KafkaClusterWatcher _watcher = null!;

    public async Task InitializeAsync()
    {
        _kazoo = KazooSession.Start(ensemble.Sandbox.ConnectString);
        foreach (var id in new[] { 1, 2, 3 }) await _kazoo.CreateAsync($"{_root}/brokers/ids/{id}", BrokerV5(id), ephemeral: true, client: $"broker{id}");
        await _kazoo.CreateAsync($"{_root}/controller", ControllerV2(1), ephemeral: true, client: "broker1");
        await _kazoo.CreateAsync($"{_root}/brokers/topics/orders", TopicV3([[1, 2, 3], [2, 3, 1]]));
        await _kazoo.CreateAsync($"{_root}/brokers/topics/orders/partitions/0/state", State(1, [1, 2, 3]));
        await _kazoo.CreateAsync($"{_root}/brokers/topics/orders/partitions/1/state", State(2, [2, 3, 1]));
        await _kazoo.CreateAsync($"{_root}/config/topics/orders", Config(("min.insync.replicas", "1")));
        await _kazoo.CreateAsync($"{_root}/config/changes/placeholder", "");
        _client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        _watcher = new KafkaClusterWatcher(_client, new KafkaWatcherOptions { Chroot = _root, FullReadInterval = TimeSpan.FromMinutes(10), Debounce = TimeSpan.FromMilliseconds(50) });
        await _watcher.StartAsync();
        await WaitAsync(() => _watcher.Reads >= 1);
    }

    public async Task DisposeAsync()
    {
        await _watcher.DisposeAsync();
        await _client.DisposeAsync();
        await _kazoo.DisposeAsync();
    }

    [Fact]
    public async Task IsrShrink_OnlyThatStateReRead_NoFullRead()
    {
        var reads = await SettledReadsAsync();

        await _kazoo.SetAsync($"{_root}/brokers/topics/orders/partitions/1/state", State(2, [2, 1], leaderEpoch: 4));

        await WaitAsync(() => _watcher.Current!.Topics["orders"].Partitions[1].State!.Isr.Count == 2);
        Assert.Equal(reads, _watcher.Reads); // no full read
        Assert.True(_watcher.StateRefreshes >= 1);
        Assert.Equal(1, KafkaClusterAnalysis.Analyze(_watcher.Current!).UnderReplicatedCount);
        Assert.Equal(3, _watcher.Current!.Topics["orders"].Partitions[0].State!.Isr.Count);

        // And again: the state's watch was set before the re-read.
        await _kazoo.SetAsync($"{_root}/brokers/topics/orders/partitions/1/state", State(2, [2, 1, 3], leaderEpoch: 4));
        await WaitAsync(() => _watcher.Current!.Topics["orders"].Partitions[1].State!.Isr.Count == 3);
        Assert.Equal(0, KafkaClusterAnalysis.Analyze(_watcher.Current!).UnderReplicatedCount);
    }

    [Fact]
    public async Task AdminRequestsAndConfigChange_SeenWithoutThePeriodicRead()
    {
        await _kazoo.CreateAsync($"{_root}/admin/delete_topics/orders", "");
        await WaitAsync(() => _watcher.Current!.Topics["orders"].MarkedForDeletion);

        await _kazoo.CreateAsync($"{_root}/admin/preferred_replica_election", PreferredElection(("orders", 0)));
        await WaitAsync(() => _watcher.Current!.Admin.PreferredElection is { Count: 1 });

        await _kazoo.CreateAsync($"{_root}/admin/reassign_partitions", Reassignment(("orders", 0, [3, 2, 1])));
        await WaitAsync(() => _watcher.Current!.Admin.Reassignment is { Count: 1 });

        // As kafka-configs.sh does: the config, then a change notification.
        await _kazoo.SetAsync($"{_root}/config/topics/orders", Config(("min.insync.replicas", "3")));
        await _kazoo.CreateAsync($"{_root}/config/changes/config_change_0000000001", """{"version":2,"entity_path":"topics/orders"}""");
        await WaitAsync(() => _watcher.Current!.MinInsyncReplicas(_watcher.Current.Topics["orders"]) == 3);
    }

    /// <summary>
    /// The full-read count once the reads that follow the first (new watches firing) have settled: unchanged for 2 s,
    /// within 60 s. A fixed pause was too short on a loaded machine.
    /// </summary>
    private async Task<int> SettledReadsAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var reads = _watcher.Reads;
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            if (_watcher.Reads != reads) { reads = _watcher.Reads; since = DateTime.UtcNow; }
            else if (DateTime.UtcNow - since >= TimeSpan.FromSeconds(2)) return reads;
        }
        throw new TimeoutException($"the watcher kept reading for 60 s ({reads} full reads)");
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not seen within 30 s");
            await Task.Delay(20);
        }
    }
}
