using System.Collections.Concurrent;
using Dashboard.Core.Kafka;
using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Kafka;

/// <summary>The watcher against sandbox brokers; the periodic read is set far out so only watches can explain updates.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class KafkaClusterWatcherTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private SandboxKafkaCluster _cluster = null!;
    private ZooKeeperClient _client = null!;
    private KafkaClusterWatcher _watcher = null!;
    private readonly ConcurrentQueue<KafkaClusterEvent> _events = new();

    public async Task InitializeAsync()
    {
        var chroot = $"/kafka-{Guid.NewGuid():N}";
        _cluster = await SandboxKafkaCluster.StartAsync(ensemble.Sandbox.ConnectString, new SandboxKafkaOptions { Chroot = chroot });
        await _cluster.CreateTopicAsync("orders", 6, 3, new Dictionary<string, string> { ["min.insync.replicas"] = "2" });
        await _cluster.WaitUntilAsync(s => KafkaClusterAnalysis.Analyze(s).UnderReplicatedCount == 0, Timeout);
        _client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        _watcher = new KafkaClusterWatcher(_client, new KafkaWatcherOptions { Chroot = chroot, FullReadInterval = TimeSpan.FromMinutes(10), Debounce = TimeSpan.FromMilliseconds(50) });
        _watcher.Subscribe(u => { foreach (var e in u.Events) _events.Enqueue(e); });
        await _watcher.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _watcher.DisposeAsync();
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task KillBroker_WatchesUpdateSnapshotAndPublishEvents()
    {
        var first = _watcher.Current!;
        var victim = _cluster.RunningBrokerIds.First(id => id != first.Controller!.BrokerId);

        await _cluster.KillBrokerAsync(victim);
        await WaitForAsync(() => _watcher.Current!.AllPartitions.All(p => !p.State!.Isr.Contains(victim)));
        // Subscribers hear of a snapshot right after it becomes current.
        await WaitForAsync(() => _events.Count(e => e.Kind == KafkaEventKind.IsrShrunk) == 6);

        Assert.False(_watcher.Current!.Brokers.ContainsKey(victim));
        Assert.Contains(_events, e => e.Kind == KafkaEventKind.BrokerGone && e.BrokerId == victim);
        Assert.Null(_watcher.LastError);
    }

    [Fact]
    public async Task KillController_HistoryRecordsEndedTermAndNewOneWithGap()
    {
        var first = _watcher.History.Current!;

        await _cluster.KillBrokerAsync(first.BrokerId);
        await WaitForAsync(() => _watcher.History.Current is { } c && c.BrokerId != first.BrokerId);

        var changes = _watcher.History.Changes;
        Assert.Equal(2, changes.Count);
        Assert.NotNull(changes[0].Ended);
        Assert.Equal(first.Epoch + 1, changes[1].Epoch);
        Assert.Equal(0, changes[1].MissedElectionsBefore);
        await WaitForAsync(() => _watcher.Current!.Controller?.BrokerId == changes[1].BrokerId);
        await WaitForAsync(() => _events.Any(e => e.Kind == KafkaEventKind.ControllerChanged));
    }

    [Fact]
    public async Task BrokerReturns_IsrExpandsThroughStateWatches()
    {
        var victim = _cluster.RunningBrokerIds.First(id => id != _watcher.Current!.Controller!.BrokerId);
        await _cluster.KillBrokerAsync(victim);
        await WaitForAsync(() => _watcher.Current!.AllPartitions.All(p => !p.State!.Isr.Contains(victim)));

        await _cluster.StartBrokerAsync(victim);
        await WaitForAsync(() => _watcher.Current!.AllPartitions.All(p => p.State!.Isr.Count == 3));

        await WaitForAsync(() => _events.Any(e => e.Kind == KafkaEventKind.IsrExpanded && e.BrokerId == victim));
    }
}
