using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Kafka;
using Dashboard.Core.Kafka;
using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Tests.Access;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Kafka;

/// <summary>A preferred leader election requested from the API and the Kafka page's service, against sandbox brokers on a real ensemble.</summary>
[Collection(SoloCollection.Name)]
public sealed class PreferredElectionWebTests(KafkaSandboxFixture fixture) : IClassFixture<KafkaSandboxFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly HtmlParser Parser = new();
    private const string Api = "/api/clusters/local/kafka/preferred-election";

    private static bool Settled(KafkaClusterSnapshot s) => KafkaClusterAnalysis.Analyze(s).UnderReplicatedCount == 0 && s.Controller is not null;

    private DashboardAppFactory App(SandboxKafkaCluster kafka) => AccessTestApp.Create(new Dictionary<string, string?>
    {
        ["Dashboard:Clusters:0:Name"] = "Local",
        ["Dashboard:Clusters:0:ConnectString"] = fixture.Sandbox.ConnectString,
        ["Dashboard:Clusters:0:KafkaChroot"] = kafka.Paths.Chroot,
    });

    private static async Task<HttpResponseMessage> PostApiAsync(HttpClient client, object body)
    {
        // Any static page carries the token (interactive pages post nothing): it is bound to the user, not the page.
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/history");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Api, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Add("RequestVerificationToken", token);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Election_AfterBrokerRestart_RestoresPreferredLeadersForOperatorOnlyAndIsAudited()
    {
        await using var kafka = await fixture.StartKafkaAsync();
        var before = await kafka.WaitUntilAsync(Settled, Timeout);
        var victim = kafka.RunningBrokerIds.First(id => id != before.Controller!.BrokerId);
        await kafka.KillBrokerAsync(victim);
        await kafka.WaitUntilAsync(s => s.AllPartitions.All(p => p.State!.Leader != victim), Timeout);
        await kafka.StartBrokerAsync(victim);
        var restored = await kafka.WaitUntilAsync(s => Settled(s) && s.Brokers.ContainsKey(victim) && s.AllPartitions.All(p => !p.State!.IsOffline), Timeout);
        var off = PreferredLeaderElection.OffPreferred(restored, null);
        Assert.NotEmpty(off); // leadership does not come back by itself

        await using var app = App(kafka);
        var store = app.Services.GetRequiredService<KafkaStore>();
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local") is not null);

        using var viewer = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);
        var viewerPage = await Parser.ParseDocumentAsync(await viewer.GetStringAsync(new Uri("/clusters/local/kafka", UriKind.Relative)));
        Assert.Null(viewerPage.QuerySelector("#preferred-election-form"));
        using (var refused = await PostApiAsync(viewer, new { }))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.NotEmpty(PreferredLeaderElection.OffPreferred(await kafka.Reader.ReadAsync(), null)); // the viewer changed nothing

        using var operatorClient = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);
        var page = await Parser.ParseDocumentAsync(await operatorClient.GetStringAsync(new Uri("/clusters/local/kafka", UriKind.Relative)));
        Assert.NotNull(page.QuerySelector("#preferred-election-form #request-preferred-election"));

        using var response = await PostApiAsync(operatorClient, new { });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("requested", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(off.Count, json.RootElement.GetProperty("partitions").GetArrayLength());

        var elected = await kafka.WaitUntilAsync(s => s.Admin.PreferredElection is null && PreferredLeaderElection.OffPreferred(s, null).Count == 0, Timeout);
        Assert.All(KafkaClusterAnalysis.Analyze(elected).Partitions, p => Assert.True(p.OnPreferredLeader, p.Partition.Id.ToString()));

        var audit = await AccessTestApp.AuditAsync(app);
        var entry = Assert.Single(audit, e => e.Action == "kafka-preferred-election");
        Assert.Equal(AccessTestApp.OperatorName, entry.User);
        Assert.Equal(AuditOutcome.Succeeded, entry.Outcome);
        Assert.Equal("local/all topics", entry.Target);
    }

    [Fact]
    public async Task Election_WhileOnePending_RefusedByApiAndPageService()
    {
        await using var kafka = await fixture.StartKafkaAsync();
        await kafka.WaitUntilAsync(Settled, Timeout);
        var controller = (await kafka.CurrentControllerAsync())!.Value;
        await using var app = App(kafka);
        var store = app.Services.GetRequiredService<KafkaStore>();
        await KafkaSandboxFixture.WaitForAsync(() => store.Get("local") is not null);
        using var client = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);

        // Without a controller nobody processes the request, so it stays pending.
        foreach (var id in kafka.RunningBrokerIds) await kafka.KillBrokerAsync(id);
        await kafka.RequestPreferredElectionAsync([new TopicPartition("orders", 0)]);

        using (var response = await PostApiAsync(client, new { topic = "orders" }))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, text);
            using var json = JsonDocument.Parse(text);
            Assert.Equal("already-pending", json.RootElement.GetProperty("outcome").GetString());
            Assert.Contains("already pending", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // The page's dialog asks through the service: the same refusal, said in words for the page.
        var operatorUser = DashboardPrincipal.Create(AccessTestApp.OperatorName, DashboardRole.Operator, "password", AccessSchemes.Cookie);
        var answer = await app.Services.GetRequiredService<PreferredElectionService>().RequestAsync(operatorUser, "local", null, "circuit", CancellationToken.None);
        Assert.Equal(409, answer.Status);
        Assert.Contains("already pending", answer.Message, StringComparison.Ordinal);

        // Only the one written before the refusals is there.
        Assert.Equal([new TopicPartition("orders", 0)], (await kafka.Reader.ReadAsync()).Admin.PreferredElection);
        var audit = await AccessTestApp.AuditAsync(app);
        Assert.Equal(2, audit.Count(e => e.Action == "kafka-preferred-election" && e.Outcome == AuditOutcome.Failed));

        await kafka.StartBrokerAsync(controller);
        await kafka.WaitUntilAsync(s => s.Admin.PreferredElection is null, Timeout);
    }
}
