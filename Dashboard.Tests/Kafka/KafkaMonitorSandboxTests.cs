using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Bunit;
using Dashboard.Components.Controls.KafkaView;
using Dashboard.Core.Clusters;
using Dashboard.Core.History;
using Dashboard.Core.Kafka;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Kafka;

/// <summary>The whole app against sandbox brokers on a real ensemble: monitor, store, history, API and History page.</summary>
[Collection(SoloCollection.Name)]
public sealed class KafkaMonitorSandboxTests(KafkaSandboxFixture fixture) : IClassFixture<KafkaSandboxFixture>
{
    private static readonly HtmlParser Parser = new();

    /// <summary>
    /// The topic page's live part in bUnit over the app's own store, as an open circuit renders it (the HTTP
    /// answer is only checked for its status).
    /// </summary>
    private static async Task<IReadOnlyList<AngleSharp.Dom.IElement>> IsrRowsAsync(DashboardAppFactory app, string topic, PartitionQuery query)
    {
        await using var ui = new ComponentContext(s => s.AddSingleton(app.Services.GetRequiredService<KafkaStore>()));
        ui.Bunit.Render<MudBlazor.MudPopoverProvider>();
        var cut = ui.Bunit.Render<KafkaTopicLive>(p => p.Add(c => c.ClusterId, "local").Add(c => c.Topic, topic).Add(c => c.Query, query));
        cut.WaitForElement("#isr-table [data-partition]");
        return cut.FindAll("#isr-table tbody tr").Where(r => r.QuerySelector("[data-partition]") is not null).ToList();
    }

    private static async Task<string> TopicGridMarkupAsync(DashboardAppFactory app)
    {
        var registry = app.Services.GetRequiredService<ClusterRegistry>();
        await using var ui = new ComponentContext(s => s.AddSingleton(app.Services.GetRequiredService<KafkaStore>()));
        ui.Bunit.Render<MudBlazor.MudPopoverProvider>();
        var cut = ui.Bunit.Render<KafkaOverviewLive>(p => p.Add(c => c.Cluster, registry.Find("local")!.Definition));
        return cut.WaitForElement("#topic-table [data-topic=orders]").Closest("tr")!.OuterHtml;
    }

    [Fact]
    public async Task Monitor_ChrootDetected_StoreAndApiShowBrokersTopicsController()
    {
        await using var kafka = await fixture.StartKafkaAsync();
        await using var app = fixture.App(null);
        var client = app.CreateClient();
        var store = app.Services.GetRequiredService<KafkaStore>();

        // Other tests' chroots may sit on the same ensemble: detection takes the first, so this test names nothing
        // and only checks that some Kafka was found; the precise checks below use the configured chroot.
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local") is not null);
        await app.DisposeAsync();

        await using var configured = fixture.App(kafka.Paths.Chroot);
        client = configured.CreateClient();
        store = configured.Services.GetRequiredService<KafkaStore>();
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local")?.Snapshot.Topics.Count == 2);

        var state = store.Get("local")!;
        Assert.Equal([1, 2, 3], state.Analysis.Brokers.Select(b => b.Id));
        Assert.All(state.Analysis.Brokers, b => Assert.Equal(BrokerStatus.Alive, b.Status));
        Assert.Single(state.ControllerHistory);

        using var doc = JsonDocument.Parse(await client.GetStringAsync("/api/clusters/local/kafka"));
        var root = doc.RootElement;
        Assert.Equal(kafka.Paths.Chroot, root.GetProperty("chroot").GetString());
        Assert.Equal(3, root.GetProperty("brokers").GetArrayLength());
        var controllerId = root.GetProperty("controller").GetProperty("brokerId").GetInt32();
        Assert.Equal(await kafka.CurrentControllerAsync(), controllerId);
        Assert.True(root.GetProperty("brokers").EnumerateArray().Single(b => b.GetProperty("id").GetInt32() == controllerId).GetProperty("controller").GetBoolean());
        Assert.Equal("a", root.GetProperty("brokers")[0].GetProperty("rack").GetString());
        var orders = root.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "orders");
        Assert.Equal(6, orders.GetProperty("partitions").GetInt32());
        Assert.Equal(3, orders.GetProperty("replicationFactor").GetInt32());
        Assert.Equal(1, root.GetProperty("controllerHistory").GetArrayLength());

        using var topic = JsonDocument.Parse(await client.GetStringAsync("/api/clusters/local/kafka/topics/orders"));
        Assert.Equal(6, topic.RootElement.GetProperty("partitions").GetArrayLength());
        Assert.Equal(2, topic.RootElement.GetProperty("minInsyncReplicas").GetInt32());
        var partition = topic.RootElement.GetProperty("partitions")[0];
        Assert.Equal(3, partition.GetProperty("isr").GetArrayLength());
        Assert.Equal(partition.GetProperty("replicas")[0].GetInt32(), partition.GetProperty("preferredLeader").GetInt32());

        var page = await Parser.ParseDocumentAsync(await client.GetStringAsync("/clusters/local/kafka"));
        Assert.Equal(3, page.QuerySelectorAll("#broker-table tr[data-status=alive]").Length);
        Assert.NotNull(page.QuerySelector($"#broker-table tr[data-broker-id='{controllerId}'] [data-field=controller]"));
        Assert.Contains("href=\"/clusters/local/kafka/topics/orders\"", await TopicGridMarkupAsync(configured), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/clusters/local/kafka/topics/orders")).StatusCode);
        Assert.Equal(6, (await IsrRowsAsync(configured, "orders", new PartitionQuery())).Count);
    }

    [Fact]
    public async Task KillBroker_StoreShowsMissingBrokerAndShrunkIsr_HistoryStoresBrokerGoneAndIsrShrunk()
    {
        await using var kafka = await fixture.StartKafkaAsync();
        await using var app = fixture.App(kafka.Paths.Chroot);
        var client = app.CreateClient();
        var store = app.Services.GetRequiredService<KafkaStore>();
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local")?.Snapshot.Topics.Count == 2);
        var controller = store.Get("local")!.Snapshot.Controller!.BrokerId;
        var victim = kafka.RunningBrokerIds.First(id => id != controller);

        await kafka.KillBrokerAsync(victim);

        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local")!.Snapshot.AllPartitions.Where(p => p.Replicas.Count == 3).All(p => !p.State!.Isr.Contains(victim)));
        var state = store.Get("local")!;
        // Its "logs" replica (RF 1) keeps it in the table: assigned but not registered is "missing".
        var hasLogReplica = state.Snapshot.Topics["logs"].Partitions.Any(p => p.Replicas.Contains(victim));
        if (hasLogReplica) Assert.Equal(BrokerStatus.Missing, state.Analysis.Brokers.Single(b => b.Id == victim).Status);
        Assert.Equal(6, state.Analysis.Topics.Single(t => t.Name == "orders").UnderReplicated);

        var reader = app.Services.GetRequiredService<HistoryReader>();
        var events = await KafkaSandboxFixture.WaitForAsync(
            async () => await reader.EventsAsync("local", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1)),
            e => e.Count(x => x.Kind == "isr-shrunk") >= 6 && e.Any(x => x.Kind == "broker-gone"));
        Assert.Equal(victim.ToString(System.Globalization.CultureInfo.InvariantCulture), events.Single(e => e.Kind == "broker-gone").Subject);
        Assert.Contains(events, e => e.Kind == "isr-shrunk" && e.Subject == "orders-0");

        using var urp = JsonDocument.Parse(await client.GetStringAsync("/api/clusters/local/kafka/partitions?underReplicated=true&topic=orders"));
        Assert.Equal(6, urp.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/clusters/local/kafka/topics/orders?problems=true&broker={victim}")).StatusCode);
        var problems = await IsrRowsAsync(app, "orders", new PartitionQuery { ProblemsOnly = true, Broker = victim });
        Assert.Equal(6, problems.Count);
        Assert.All(problems, r => Assert.Equal("false", r.QuerySelector($"span[data-replica='{victim}']")!.GetAttribute("data-in-isr")));

        // "As of" now shows the problem partitions from the stored summary.
        var summary = await KafkaSandboxFixture.WaitForAsync(
            () => app.Services.GetRequiredService<KafkaHistoryReader>().SummaryAtAsync("local", DateTimeOffset.UtcNow.AddSeconds(1)),
            s => s.UnderReplicated >= 6);
        Assert.Contains(summary.ProblemPartitions, p => p.Topic == "orders" && !p.Isr.Contains(victim));
        var history = await Parser.ParseDocumentAsync(await client.GetStringAsync("/history?cluster=local"));
        Assert.True(history.QuerySelectorAll("#kafka-as-of-problems tr[data-partition^=orders]").Length >= 6);
    }

    [Fact]
    public async Task KillController_StoresControllerChangedWithEpochAndGap_HistoryPageShowsIt()
    {
        await using var kafka = await fixture.StartKafkaAsync();
        await using var app = fixture.App(kafka.Paths.Chroot);
        var client = app.CreateClient();
        var store = app.Services.GetRequiredService<KafkaStore>();
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local")?.ControllerHistory.Count == 1);
        var first = store.Get("local")!.ControllerHistory[0];

        await kafka.KillBrokerAsync(first.BrokerId);

        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local")!.ControllerHistory is { Count: 2 } h && h[1].BrokerId != first.BrokerId);
        var terms = store.Get("local")!.ControllerHistory;
        Assert.NotNull(terms[0].Ended);
        Assert.Equal(first.Epoch + 1, terms[1].Epoch);
        Assert.NotNull(terms[1].GapBefore);

        var reader = app.Services.GetRequiredService<HistoryReader>();
        var events = await KafkaSandboxFixture.WaitForAsync(
            async () => await reader.EventsAsync("local", DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1), ["controller-changed"]),
            e => e.Count == 2);
        var latest = events[0];
        Assert.Equal(terms[1].BrokerId.ToString(System.Globalization.CultureInfo.InvariantCulture), latest.Subject);
        using (var data = JsonDocument.Parse(latest.DataJson!))
        {
            Assert.Equal(terms[1].Epoch, data.RootElement.GetProperty("epoch").GetInt32());
            Assert.Equal(first.BrokerId, data.RootElement.GetProperty("previousBrokerId").GetInt32());
            Assert.True(data.RootElement.GetProperty("gapMs").GetDouble() >= 0);
        }

        using var api = JsonDocument.Parse(await client.GetStringAsync("/api/clusters/local/kafka/controller-history"));
        Assert.Equal(terms[1].BrokerId, api.RootElement[0].GetProperty("brokerId").GetInt32());
        Assert.False(api.RootElement[0].TryGetProperty("ended", out _)); // the current term has not ended
        Assert.True(api.RootElement[1].TryGetProperty("ended", out _));

        var page = await Parser.ParseDocumentAsync(await client.GetStringAsync("/history?cluster=local&kind=controller-changed"));
        var rows = page.QuerySelectorAll("#controller-terms tbody tr");
        Assert.Equal(2, rows.Length);
        Assert.Equal(terms[1].BrokerId.ToString(System.Globalization.CultureInfo.InvariantCulture), rows[0].GetAttribute("data-broker-id"));
        Assert.NotNull(rows[0].QuerySelector("[data-gap-ms]")!.GetAttribute("data-gap-ms"));
        Assert.Equal(2, page.QuerySelectorAll("#timeline [data-kind=controller-changed]").Length);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/history?cluster=local&kind=isr-shrunk")).StatusCode);
    }
}
