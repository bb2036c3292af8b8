using Dashboard.Core.Kafka;
using Dashboard.Core.Maintenance.Kafka;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Kafka.Fixtures;
using Dashboard.Tests.Support;
using static Dashboard.Tests.Kafka.Fixtures.KafkaFormats;

namespace Dashboard.Tests.Kafka;

/// <summary>
/// The ZooKeeper -> KRaft migration as Kafka 3.9 writes it (kazoo as the second client): <c>/migration</c> created with
/// -1s, then the KRaft controller's one-transaction takeover of <c>/controller</c> (epoch + 1, delete, create
/// persistent with kraftControllerEpoch), then the brokers leaving <c>/brokers/ids</c> as they restart as KRaft brokers.
/// </summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class KafkaMigrationTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private readonly string _root = $"/migration-{Guid.NewGuid():N}";
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

    [Fact]
    public async Task Migration_NotStartedThenMigratingThenDualWrite_StatesElectionRefusedRollRefusedNoGap()
    {
        foreach (var id in new[] { 1, 2, 3 }) await _kazoo.CreateAsync($"{_root}/brokers/ids/{id}", BrokerV5(id), ephemeral: true, client: $"broker{id}");
        await _kazoo.CreateAsync($"{_root}/controller", ControllerV2(1), ephemeral: true, client: "broker1");
        await _kazoo.CreateAsync($"{_root}/controller_epoch", "7");
        await _kazoo.CreateAsync($"{_root}/brokers/topics/orders", TopicV3([[1, 2, 3], [2, 3, 1]]));
        await _kazoo.CreateAsync($"{_root}/brokers/topics/orders/partitions/0/state", State(1, [1, 2, 3]));
        await _kazoo.CreateAsync($"{_root}/brokers/topics/orders/partitions/1/state", State(3, [3, 1])); // off preferred, under-replicated
        await using var watcher = new KafkaClusterWatcher(_client, new KafkaWatcherOptions { Chroot = _root, Debounce = TimeSpan.FromMilliseconds(50) });
        await watcher.StartAsync();
        var before = watcher.Current!;
        Assert.Equal(MigrationPhase.NotStarted, before.MigrationStatus.Phase);
        Assert.True(KafkaBrokerRollChecks.MigrationCheck(before).Passed);

        // The KRaft controllers start in migration mode: /migration appears with -1s, the ZooKeeper controller stays.
        await _kazoo.CreateAsync($"{_root}/migration", Migration());
        var waiting = await new KafkaMetadataReader(_client, _root).ReadAsync();
        Assert.Equal(MigrationPhase.Migrating, waiting.MigrationStatus.Phase);
        Assert.Contains("ZooKeeper broker 1 is the controller", waiting.MigrationStatus.Summary, StringComparison.Ordinal);

        // KRaft controller 3000 takes /controller in one transaction, then records the migrated metadata's position.
        await _kazoo.TransactionAsync(null,
            ("set", $"{_root}/controller_epoch", "8", false),
            ("delete", $"{_root}/controller", null, false),
            ("create", $"{_root}/controller", ControllerV2(3000, kraftControllerEpoch: 5), false));
        await _kazoo.SetAsync($"{_root}/migration", Migration(3000, 5, offset: 120, metadataEpoch: 5));
        await WaitAsync(() => watcher.History.Current is { BrokerId: 3000 } && watcher.Current!.Migration is { KraftMetadataOffset: 120 });

        var terms = watcher.History.Changes;
        Assert.Equal([1, 3000], terms.Select(t => t.BrokerId));
        Assert.Equal(TimeSpan.Zero, terms[1].GapBefore); // one transaction: never without a controller
        Assert.Equal(terms[1].Started, terms[0].Ended);
        Assert.True(terms[1].Kraft);
        var migrating = watcher.Current!;
        Assert.True(migrating.Controller!.Persistent);
        var status = migrating.MigrationStatus;
        Assert.Equal((MigrationPhase.Migrating, 3000, 5, true), (status.Phase, status.KraftControllerId, status.KraftControllerEpoch, status.KraftControllerActive));
        Assert.Contains("restart the ZooKeeper brokers as KRaft brokers", status.NextCheck, StringComparison.Ordinal);

        // A preferred election written now would never run: refused with the reason, nothing written.
        var election = await PreferredLeaderElection.RequestAsync(_client, migrating, null, CancellationToken.None);
        Assert.Equal(PreferredElectionOutcome.KraftController, election.Outcome);
        Assert.Contains("KRaft controller (node 3000", election.Message, StringComparison.Ordinal);
        Assert.Null(await _client.ExistsAsync($"{_root}/admin/preferred_replica_election"));
        // A request someone else left there is never processed: it does not hold up the roll's later steps.
        await _kazoo.CreateAsync($"{_root}/admin/preferred_replica_election", PreferredElection(("orders", 1)));
        var checks = new KafkaBrokerRollChecks(_client, new KafkaMetadataReader(_client, _root));
        Assert.False(await checks.PreferredElectionPendingAsync("c", CancellationToken.None));
        var roll = Assert.Single(await checks.ClusterChecksAsync("c", CancellationToken.None));
        Assert.False(roll.Passed);
        Assert.Contains("migration is under way", roll.Detail, StringComparison.Ordinal);
        Assert.Contains(await checks.BeforeRestartAsync("c", 2, CancellationToken.None), c => c.Rule == KafkaBrokerRollChecks.NoMigration && !c.Passed);

        // The brokers restart as KRaft brokers: their ZooKeeper registrations go and never come back.
        foreach (var id in new[] { 1, 2, 3 }) await _kazoo.CloseAsync($"broker{id}");
        await WaitAsync(() => watcher.Current!.Brokers.Count == 0);
        var dual = watcher.Current!;
        Assert.Equal(MigrationPhase.DualWrite, dual.MigrationStatus.Phase);
        var analysis = KafkaClusterAnalysis.Analyze(dual);
        Assert.All(analysis.Brokers, b => Assert.Equal(BrokerStatus.KraftManaged, b.Status)); // not "missing"
        Assert.Equal(0, analysis.OfflineCount); // leaders are KRaft brokers, not known dead
        Assert.Equal(3000, watcher.History.Current!.BrokerId); // the persistent /controller outlives the broker sessions
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60 s");
            await Task.Delay(50);
        }
    }
}
