using Dashboard.Core.Kafka;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Kafka.Fixtures;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Dashboard.Tests.Kafka.Fixtures.KafkaFormats;

namespace Dashboard.Tests.Kafka;

/// <summary>
/// The whole app on an ensemble of its own (chroot detection sees only this test's trees): Kafka's metadata vanishing
/// is said on the page with when it was last seen, and its reappearance under another chroot is found without a restart.
/// </summary>
[Collection(SoloCollection.Name)]
public sealed class KafkaMetadataMoveTests
{
    [Fact]
    public async Task MetadataDeletedThenAtAnotherChroot_ProblemSaysLastSeenThenNewChrootFound()
    {
        await using var sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 1, Observers = 0 });
        await using var kazoo = KazooSession.Start(sandbox.ConnectString);
        await kazoo.CreateAsync("/old-kafka/brokers/ids/1", BrokerV5(1), ephemeral: true, client: "broker1");
        await kazoo.CreateAsync("/old-kafka/brokers/topics/orders", TopicV3([[1]]));
        await kazoo.CreateAsync("/old-kafka/brokers/topics/orders/partitions/0/state", State(1, [1]));
        await using var app = new DashboardAppFactory(new Dictionary<string, string?>
        {
            ["Dashboard:Clusters:0:Name"] = "Local",
            ["Dashboard:Clusters:0:ConnectString"] = sandbox.ConnectString,
        });
        var store = app.Services.GetRequiredService<KafkaStore>();
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local")?.Snapshot.Chroot == "/old-kafka", 60);
        var seen = store.Get("local")!.Snapshot.ReadAt;

        await kazoo.CloseAsync("broker1");
        await kazoo.DeleteAsync("/old-kafka", recursive: true);

        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local")?.Problem?.Contains("no longer found", StringComparison.Ordinal) == true, 60);
        var problem = store.Get("local")!.Problem!;
        Assert.Contains("last seen under /old-kafka", problem, StringComparison.Ordinal);
        Assert.True(store.Get("local")!.Snapshot.ReadAt >= seen); // the last snapshot stays on the page
        using var client = app.CreateClient();
        Assert.Contains("no longer found", await client.GetStringAsync("/clusters/local/kafka"), StringComparison.Ordinal);

        // Kafka is re-created under another chroot (a new cluster, or a moved one): found by looking again.
        await kazoo.CreateAsync("/new-kafka/brokers/ids/2", BrokerV5(2), ephemeral: true, client: "broker2");
        await kazoo.CreateAsync("/new-kafka/brokers/topics/events", TopicV3([[2]]));
        await kazoo.CreateAsync("/new-kafka/brokers/topics/events/partitions/0/state", State(2, [2]));
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local") is { Snapshot.Chroot: "/new-kafka", Problem: null }, 90);
        Assert.Equal([2], store.Get("local")!.Snapshot.Brokers.Keys);
    }

    [Fact]
    public async Task EveryBrokerSessionExpires_AllOfflineTermEndedBrokerGoneAndControllerGoneStored()
    {
        await using var sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 1, Observers = 0 });
        await using var kazoo = KazooSession.Start(sandbox.ConnectString);
        foreach (var id in new[] { 1, 2 }) await kazoo.CreateAsync($"/kafka/brokers/ids/{id}", BrokerV5(id), ephemeral: true, client: $"broker{id}");
        await kazoo.CreateAsync("/kafka/controller", ControllerV2(2), ephemeral: true, client: "broker2");
        await kazoo.CreateAsync("/kafka/controller_epoch", "3");
        await kazoo.CreateAsync("/kafka/brokers/topics/orders", TopicV3([[1, 2], [2, 1]]));
        await kazoo.CreateAsync("/kafka/brokers/topics/orders/partitions/0/state", State(1, [1, 2]));
        await kazoo.CreateAsync("/kafka/brokers/topics/orders/partitions/1/state", State(2, [2, 1]));
        await using var app = new DashboardAppFactory(new Dictionary<string, string?>
        {
            ["Dashboard:Clusters:0:Name"] = "Local",
            ["Dashboard:Clusters:0:ConnectString"] = sandbox.ConnectString,
            ["Dashboard:Clusters:0:KafkaChroot"] = "/kafka",
        });
        var store = app.Services.GetRequiredService<KafkaStore>();
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local")?.ControllerHistory.Count == 1, 60);

        await kazoo.CloseAsync("broker1");
        await kazoo.CloseAsync("broker2");

        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local") is { Snapshot.Brokers.Count: 0, Snapshot.Controller: null }, 60);
        var state = store.Get("local")!;
        Assert.Equal(2, state.Analysis.OfflineCount);
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local")!.ControllerHistory.Single().Ended is not null, 60);
        var reader = app.Services.GetRequiredService<Dashboard.Core.History.HistoryReader>();
        var events = await KafkaSandboxFixture.WaitForAsync(
            async () => await reader.EventsAsync("local", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1), ["broker-gone", "controller-gone", "partition-offline"]),
            e => e.Count(x => x.Kind == "broker-gone") == 2 && e.Any(x => x.Kind == "controller-gone") && e.Count(x => x.Kind == "partition-offline") == 2, 60);
        Assert.Equal("2", events.Single(e => e.Kind == "controller-gone").Subject);
    }
}
