using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Dashboard.Components.Controls.KafkaView;
using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka;
using Dashboard.Live;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Kafka;

/// <summary>Kafka components rendered as the live push renders them, and the API's errors, on hand-made snapshots.</summary>
public sealed class KafkaWebTests : IAsyncLifetime
{
    private static readonly HtmlParser Parser = new();
    private static readonly ClusterDefinition Cluster = new("prod", "Prod", "a:2181", ClusterOrigin.Settings);
    private readonly DashboardAppFactory _app = new(new Dictionary<string, string?>
    {
        ["Dashboard:Clusters:0:Name"] = "Prod",
        // Nothing listens there: the monitors retry in the background; these tests feed the store themselves.
        ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:9",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

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

    private async Task<AngleSharp.Html.Dom.IHtmlDocument> RenderAsync<T>(Dictionary<string, object?> parameters) where T : Microsoft.AspNetCore.Components.IComponent =>
        await Parser.ParseDocumentAsync(await _app.Services.GetRequiredService<LiveFragmentPublisher>().RenderAsync<T>(parameters));

    [Fact]
    public async Task Overview_BrokerGoneAndMalformedState_MissingBrokerControllerBadgeAndRawValueShown()
    {
        var doc = await RenderAsync<KafkaOverviewLive>(KafkaOverviewLive.Parameters(Cluster, Feed()));

        Assert.Equal("missing", doc.QuerySelector("#broker-table tr[data-broker-id='3']")!.GetAttribute("data-status"));
        Assert.NotNull(doc.QuerySelector("#broker-table tr[data-broker-id='2'] [data-field=controller]"));
        Assert.Equal("rack1", doc.QuerySelector("#broker-table tr[data-broker-id='1'] td:nth-child(3)")!.TextContent.Trim());
        Assert.Equal("1", doc.QuerySelector("#topic-table tr[data-topic=orders] [data-field=urp]")!.TextContent.Trim());
        Assert.Contains("{not json", doc.QuerySelector("#kafka-unreadable [data-unreadable]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("7", doc.QuerySelector("#controller-history tbody tr")!.GetAttribute("data-epoch"));
        Assert.Contains("1500", doc.QuerySelector("#controller-history [data-field=gap]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsrTable_ProblemsOnly_ShowsOutOfSyncReplicaAndUnreadableStateFirstRowsIntact()
    {
        var state = Feed();
        var doc = await RenderAsync<IsrTable>(IsrTable.Parameters("prod", "orders", state, new PartitionQuery { ProblemsOnly = true }));

        var rows = doc.QuerySelectorAll("#isr-table tbody tr");
        Assert.Equal(["2", "1"], rows.Select(r => r.GetAttribute("data-partition")));
        Assert.Contains("{not json", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("false", rows[1].QuerySelector("span[data-replica='3']")!.GetAttribute("data-in-isr"));
        Assert.Equal("true", rows[1].QuerySelector("span[data-replica='2']")!.GetAttribute("data-in-isr"));
        Assert.Contains("under-replicated", rows[1].QuerySelector("[data-field=flags]")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("not on preferred leader", rows[1].QuerySelector("[data-field=flags]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("kafka-isr:prod:orders:bany:problems:p1:n100", doc.QuerySelector("#isr-live")!.GetAttribute("data-live-topic"));
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
        var state = FeedMigrating();
        var doc = await RenderAsync<KafkaOverviewLive>(KafkaOverviewLive.Parameters(Cluster, state));

        Assert.Equal("dualwrite", doc.QuerySelector("#kafka-migration")!.GetAttribute("data-phase"));
        Assert.Contains("metadata offset 120", doc.QuerySelector("#kafka-migration")!.TextContent, StringComparison.Ordinal);
        Assert.All(doc.QuerySelectorAll("#broker-table tbody tr"), r => Assert.Equal("kraft", r.GetAttribute("data-status")));
        Assert.Equal("5", doc.QuerySelector("#controller-znode [data-field=kraft-epoch]")!.TextContent.Trim());
        Assert.Equal("unknown", doc.QuerySelector("#topic-table tr[data-topic=garbled] [data-field=preferred-share]")!.TextContent.Trim());
        Assert.Equal("100 %", doc.QuerySelector("#topic-table tr[data-topic=moving] [data-field=preferred-share]")!.TextContent.Trim());
        Assert.Contains("reassignment (1)", doc.QuerySelector("#topic-table tr[data-topic=moving] [data-field=reassignment]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("moving-0 -> [4,1,2]", doc.QuerySelector("#kafka-legacy-reassignment")!.TextContent, StringComparison.Ordinal);

        var isr = await RenderAsync<IsrTable>(IsrTable.Parameters("prod", "moving", state, new PartitionQuery { Reassigning = true }));
        var row = Assert.Single(isr.QuerySelectorAll("#isr-table tbody tr"));
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
