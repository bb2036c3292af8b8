using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using Bunit;
using Dashboard.Components.Controls.KafkaView;
using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Kafka;

/// <summary>Kafka components in bUnit fed by the app's real store, and the API's and pages' errors, on hand-made snapshots.</summary>
public sealed class KafkaWebTests : IAsyncLifetime
{
    private static readonly ClusterDefinition Cluster = new("prod", "Prod", "a:2181", ClusterOrigin.Settings);
    private readonly DashboardAppFactory _app = new(new Dictionary<string, string?>
    {
        ["Dashboard:Clusters:0:Name"] = "Prod",
        // Nothing listens there: the monitors retry in the background; these tests feed the store themselves.
        ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:9",
    });

    private ComponentContext? _ui;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_ui is not null) await _ui.DisposeAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The components read the app's own store (the one the watcher and <see cref="Feed"/> write to).</summary>
    private ComponentContext Ui()
    {
        if (_ui is not null) return _ui;
        var store = _app.Services.GetRequiredService<KafkaStore>();
        _ui = new ComponentContext(s => s.AddSingleton(store).AddSingleton(new ClusterRegistry([Cluster])));
        _ui.Bunit.Render<MudPopoverProvider>();
        return _ui;
    }

    private IRenderedComponent<KafkaOverviewLive> RenderOverview() => Ui().Bunit.Render<KafkaOverviewLive>(p => p.Add(c => c.Cluster, Cluster));

    private IRenderedComponent<KafkaTopicLive> RenderIsr(string topic, PartitionQuery query) =>
        Ui().Bunit.Render<KafkaTopicLive>(p => p.Add(c => c.ClusterId, "prod").Add(c => c.Topic, topic).Add(c => c.Query, query));

    /// <summary>A data grid row has no attributes of its own: rows are found by the marked cell inside them.</summary>
    private static IElement Row<T>(IRenderedComponent<T> cut, string cellSelector) where T : Microsoft.AspNetCore.Components.IComponent =>
        cut.WaitForElement(cellSelector).Closest("tr")!;

    private static KafkaBroker Broker(int id) => new(id, 100 + id,
        new BrokerRegistration(id, 5, $"h{id}", 9092, [$"PLAINTEXT://h{id}:9092"], new Dictionary<string, string>(), -1, null, $"rack{id}", new Dictionary<string, FeatureRange>(), 100 + id), null);

    /// <summary>Brokers 1 and 2 alive, 3 gone; orders-1 lost 3 from its ISR; orders-2's state is not JSON.</summary>
    private static KafkaClusterSnapshot Snapshot()
    {
        var t = "orders";
        var bad = new UnreadableZNode("/brokers/topics/orders/partitions/2/state", "{not json", "not valid JSON");
        KafkaPartition[] partitions =
        [
            new(new TopicPartition(t, 0), [1, 2], new PartitionState(1, 3, [1, 2], 4, LeaderRecoveryState.Recovered, 3), null),
            new(new TopicPartition(t, 1), [2, 3, 1], new PartitionState(2, 5, [2, 1], 4, LeaderRecoveryState.Recovered, 5), null),
            new(new TopicPartition(t, 2), [1, 2, 3], null, bad),
        ];
        var assignment = new TopicAssignment(t, 3, "id1", partitions.ToDictionary(p => p.Id.Partition, p => p.Replicas), new Dictionary<int, IReadOnlyList<int>>(), new Dictionary<int, IReadOnlyList<int>>());
        var topic = new KafkaTopic(t, assignment, new EntityConfig(new Dictionary<string, string> { ["min.insync.replicas"] = "2" }), partitions, false, null);
        return new KafkaClusterSnapshot("/kafka", DateTimeOffset.UnixEpoch, "cid", new KafkaController(2, 7, 900, DateTimeOffset.UnixEpoch, null, null), 7,
            new Dictionary<int, KafkaBroker> { [1] = Broker(1), [2] = Broker(2) }, new Dictionary<string, KafkaTopic> { [t] = topic },
            new Dictionary<string, EntityConfig>(), PendingAdminRequests.None, [bad]);
    }

    private ClusterKafkaState Feed()
    {
        var store = _app.Services.GetRequiredService<KafkaStore>();
        return store.Record("prod", new KafkaClusterUpdate(Snapshot(), []), [new ControllerChange(2, 7, 900, DateTimeOffset.UnixEpoch, null, TimeSpan.FromMilliseconds(1500), 0)])!;
    }

    [Fact]
    public void Overview_BrokerGoneAndMalformedState_MissingBrokerControllerBadgeAndRawValueShown()
    {
        Feed();
        var cut = RenderOverview();

        Assert.Equal("missing", cut.Find("#broker-table tr[data-broker-id='3']").GetAttribute("data-status"));
        Assert.NotNull(cut.Find("#broker-table tr[data-broker-id='2'] [data-field=controller]"));
        Assert.Equal("rack1", cut.Find("#broker-table tr[data-broker-id='1'] td:nth-child(3)").TextContent.Trim());
        Assert.Equal("1", Row(cut, "#topic-table [data-topic=orders]").QuerySelector("[data-field=urp]")!.TextContent.Trim());
        Assert.Contains("{not json", cut.Find("#kafka-unreadable [data-unreadable]").TextContent, StringComparison.Ordinal);
        Assert.Equal("7", cut.Find("#controller-history tbody tr").GetAttribute("data-epoch"));
        Assert.Contains("1500", cut.Find("#controller-history [data-field=gap]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void IsrGrid_ProblemsOnly_ShowsOutOfSyncReplicaAndUnreadableStateFirstRowsIntact()
    {
        Feed();
        var cut = RenderIsr("orders", new PartitionQuery { ProblemsOnly = true });

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("#isr-table [data-partition]").Count));
        var rows = cut.FindAll("#isr-table tbody tr").Where(r => r.QuerySelector("[data-partition]") is not null).ToList();
        Assert.Equal(["2", "1"], rows.Select(r => r.QuerySelector("[data-partition]")!.GetAttribute("data-partition")));
        Assert.Contains("{not json", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("false", rows[1].QuerySelector("span[data-replica='3']")!.GetAttribute("data-in-isr"));
        Assert.Equal("true", rows[1].QuerySelector("span[data-replica='2']")!.GetAttribute("data-in-isr"));
        Assert.Contains("under-replicated", rows[1].QuerySelector("[data-field=flags]")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("not on preferred leader", rows[1].QuerySelector("[data-field=flags]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("2 partition(s) match", cut.Find("#isr-count").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void IsrGrid_NewReadInTheStore_RowsFollowWithoutReload()
    {
        Feed();
        var cut = RenderIsr("orders", new PartitionQuery());
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("#isr-table [data-partition]").Count));
        Assert.Equal("false", Row(cut, "#isr-table [data-partition='1']").QuerySelector("span[data-replica='3']")!.GetAttribute("data-in-isr"));

        // Broker 3 is back in orders-1's ISR: the grid reloads its page from the new snapshot.
        var healed = Snapshot();
        var topic = healed.Topics["orders"];
        var partitions = topic.Partitions.Select(p => p.Id.Partition == 1 ? p with { State = p.State! with { Isr = [2, 1, 3] } } : p).ToList();
        var store = _app.Services.GetRequiredService<KafkaStore>();
        store.Record("prod", new KafkaClusterUpdate(healed with { Topics = new Dictionary<string, KafkaTopic> { ["orders"] = topic with { Partitions = partitions } } }, []), []);

        cut.WaitForAssertion(() => Assert.Equal("true", Row(cut, "#isr-table [data-partition='1']").QuerySelector("span[data-replica='3']")!.GetAttribute("data-in-isr")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void TopicGrid_NameFilterAndPage_OnlyThatPageOfMatchesRendered()
    {
        var topics = Enumerable.Range(0, 120).Select(i => new TopicHealth($"t-{i:D3}", 1, 1, i == 7 ? 1 : 0, 0, 0, 1.0, false, false, false)).ToList();
        var analysis = new KafkaClusterAnalysis([], [], topics);
        var cut = Ui().Bunit.Render<TopicGrid>(p => p.Add(c => c.ClusterId, "prod").Add(c => c.Analysis, analysis).Add(c => c.Admin, PendingAdminRequests.None)
            .Add(c => c.Query, new TopicQuery { NameContains = "T-0", Page = 2 }));

        cut.WaitForAssertion(() => Assert.Equal(TopicQuery.DefaultPageSize, cut.FindAll("#topic-table [data-topic]").Count));
        Assert.Contains("100 topic(s) match · page 2 of 2", cut.Find("#topic-count").TextContent, StringComparison.Ordinal);
        // Problems first across pages: t-007 is on page 1, so page 2 starts after the 50 first healthy names.
        Assert.Equal("t-050", cut.FindAll("#topic-table [data-topic]")[0].GetAttribute("data-topic"));
    }

    [Fact]
    public async Task Api_UnknownClusterTopicOrBadFilter_404And400WithReason()
    {
        var client = _app.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/clusters/nope/kafka")).StatusCode);
        // A cluster with no Kafka known is 404 too, saying so.
        var none = await client.GetAsync("/api/clusters/prod/kafka");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Contains("no Kafka", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Feed();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/clusters/prod/kafka/topics/nope")).StatusCode);
        var bad = await client.GetAsync("/api/clusters/prod/kafka/partitions?underReplicated=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("underReplicated", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/clusters/prod/kafka/partitions?pageSize=5000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/clusters/prod/kafka/partitions?sort=sideways")).StatusCode);

        using var page = JsonDocument.Parse(await client.GetStringAsync("/api/clusters/prod/kafka/partitions?underReplicated=true"));
        Assert.Equal(1, page.RootElement.GetProperty("total").GetInt32());
        Assert.Equal([3], page.RootElement.GetProperty("partitions")[0].GetProperty("outOfSync").EnumerateArray().Select(e => e.GetInt32()));
        using var brokers = JsonDocument.Parse(await client.GetStringAsync("/api/clusters/prod/kafka/brokers"));
        Assert.Equal("missing", brokers.RootElement[2].GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/clusters/nope/kafka")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/clusters/nope/kafka/topics/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/clusters/nope/kafka/partitions")).StatusCode);
        // A topic the latest read does not have is a missing page too; one it has is served.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/clusters/prod/kafka/topics/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/clusters/prod/kafka/topics/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/clusters/prod/kafka/partitions?problems=true&page=2")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/clusters/prod/kafka")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/kafka")).StatusCode);
    }

    /// <summary>Dual-write under KRaft controller 3000, partition 0 being moved from [1,2,3] to [4,1,2], an unreadable topic.</summary>
    private ClusterKafkaState FeedMigrating()
    {
        var t = "moving";
        KafkaPartition[] partitions =
        [
            new(new TopicPartition(t, 0), [4, 1, 2, 3], new PartitionState(1, 3, [1, 2, 3], 5, LeaderRecoveryState.Recovering, 3), null),
            new(new TopicPartition(t, 1), [1, 2, 3], new PartitionState(1, 3, [1, 2, 3], 5, LeaderRecoveryState.Recovered, 3), null),
        ];
        var assignment = new TopicAssignment(t, 3, "id2", partitions.ToDictionary(p => p.Id.Partition, p => p.Replicas),
            new Dictionary<int, IReadOnlyList<int>> { [0] = [4] }, new Dictionary<int, IReadOnlyList<int>> { [0] = [3] });
        var garbled = new UnreadableZNode("/kafka/brokers/topics/garbled", "{", "not JSON");
        var topics = new Dictionary<string, KafkaTopic>
        {
            [t] = new(t, assignment, EntityConfig.Empty, partitions, false, null),
            ["garbled"] = new("garbled", null, EntityConfig.Empty, [], false, garbled),
        };
        var controller = new KafkaController(3000, 8, 900, DateTimeOffset.UnixEpoch, new ControllerRegistration(3000, 2, DateTimeOffset.UnixEpoch, 5), null, Persistent: true);
        var snapshot = new KafkaClusterSnapshot("/kafka", DateTimeOffset.UnixEpoch, "cid", controller, 8, new Dictionary<int, KafkaBroker>(), topics,
            new Dictionary<string, EntityConfig>(), new PendingAdminRequests(null, [new PartitionReassignment(new TopicPartition(t, 0), [4, 1, 2])], []), [garbled],
            new MigrationRecord(0, 3000, 5, 120, 5, 2));
        var store = _app.Services.GetRequiredService<KafkaStore>();
        return store.Record("prod", new KafkaClusterUpdate(snapshot, []), [])!;
    }

    [Fact]
    public async Task Overview_DualWriteReassignmentUnreadableTopic_MigrationShownBrokersNotMissingShareUnknown()
    {
        FeedMigrating();
        var cut = RenderOverview();

        Assert.Equal("dualwrite", cut.Find("#kafka-migration").GetAttribute("data-phase"));
        Assert.Contains("metadata offset 120", cut.Find("#kafka-migration").TextContent, StringComparison.Ordinal);
        Assert.All(cut.FindAll("#broker-table tbody tr"), r => Assert.Equal("kraft", r.GetAttribute("data-status")));
        Assert.Equal("5", cut.Find("#controller-znode [data-field=kraft-epoch]").TextContent.Trim());
        Assert.Equal("unknown", Row(cut, "#topic-table [data-topic=garbled]").QuerySelector("[data-field=preferred-share]")!.TextContent.Trim());
        Assert.Equal("100 %", Row(cut, "#topic-table [data-topic=moving]").QuerySelector("[data-field=preferred-share]")!.TextContent.Trim());
        Assert.Contains("reassignment (1)", Row(cut, "#topic-table [data-topic=moving]").QuerySelector("[data-field=reassignment]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("moving-0 -> [4,1,2]", cut.Find("#kafka-legacy-reassignment").TextContent, StringComparison.Ordinal);

        var isr = RenderIsr("moving", new PartitionQuery { Reassigning = true });
        isr.WaitForAssertion(() => Assert.Single(isr.FindAll("#isr-table [data-partition]")));
        var row = Row(isr, "#isr-table [data-partition]");
        Assert.Equal("adding 4", row.QuerySelector("[data-field=adding]")!.TextContent.Trim());
        Assert.Equal("removing 3", row.QuerySelector("[data-field=removing]")!.TextContent.Trim());
        Assert.NotNull(row.QuerySelector("[data-field=recovering]"));
        Assert.DoesNotContain("under-replicated", row.QuerySelector("[data-field=flags]")!.TextContent, StringComparison.Ordinal);
        var client = _app.CreateClient();
        using var kafka = JsonDocument.Parse(await client.GetStringAsync("/api/clusters/prod/kafka"));
        Assert.Equal("dual-write", kafka.RootElement.GetProperty("migration").GetProperty("phase").GetString());
        Assert.Equal(5, kafka.RootElement.GetProperty("controller").GetProperty("kraftControllerEpoch").GetInt32());
        Assert.Equal(2, kafka.RootElement.GetProperty("controller").GetProperty("znodeVersion").GetInt32());
        Assert.Equal("kraft-managed", kafka.RootElement.GetProperty("brokers")[0].GetProperty("status").GetString());
        var garbledTopic = kafka.RootElement.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "garbled");
        Assert.True(garbledTopic.GetProperty("unreadable").GetBoolean());
        Assert.False(garbledTopic.TryGetProperty("preferredLeaderShare", out _)); // unknown: left out, never 1.0
        Assert.Equal([4, 1, 2], kafka.RootElement.GetProperty("pendingReassignment")[0].GetProperty("replicas").EnumerateArray().Select(e => e.GetInt32()));
        using var page = JsonDocument.Parse(await client.GetStringAsync("/api/clusters/prod/kafka/partitions?reassigning=true"));
        var partition = Assert.Single(page.RootElement.GetProperty("partitions").EnumerateArray());
        Assert.Equal([4], partition.GetProperty("addingReplicas").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(3, partition.GetProperty("replicationFactor").GetInt32());
        Assert.Equal("recovering", partition.GetProperty("leaderRecoveryState").GetString());
    }
}
