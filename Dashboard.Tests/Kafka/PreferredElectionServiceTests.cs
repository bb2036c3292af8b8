using Bunit;
using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.ZooKeeper;
using Dashboard.Kafka;
using Dashboard.Tests.Access;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Dashboard.Tests.Kafka.Fixtures;
using static Dashboard.Tests.Kafka.Fixtures.KafkaFormats;

namespace Dashboard.Tests.Kafka;

/// <summary>
/// The preferred election as the page's dialog asks for it: through the service, with a principal and no HTTP
/// middleware. A role per test; the metadata is written by kazoo into a real ensemble (no brokers are needed:
/// writing the request is the service's whole job, the controller runs it).
/// </summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class PreferredElectionServiceTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private readonly string _root = $"/election-{Guid.NewGuid():N}";
    private KazooSession _kazoo = null!;
    private ZooKeeperClient _client = null!;
    private DashboardAppFactory _app = null!;

    public async Task InitializeAsync()
    {
        _kazoo = KazooSession.Start(ensemble.Sandbox.ConnectString);
        _client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString, new ZooKeeperClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
        foreach (var id in new[] { 1, 2, 3 }) await _kazoo.CreateAsync($"{_root}/brokers/ids/{id}", BrokerV5(id), ephemeral: true, client: $"broker{id}");
        await _kazoo.CreateAsync($"{_root}/controller_epoch", "7");
        await _kazoo.CreateAsync($"{_root}/admin/delete_topics", ""); // a broker's first start creates /admin
        await _kazoo.CreateAsync($"{_root}/brokers/topics/orders", TopicV3([[1, 2, 3], [2, 3, 1]]));
        await _kazoo.CreateAsync($"{_root}/brokers/topics/orders/partitions/0/state", State(1, [1, 2, 3]));
        await _kazoo.CreateAsync($"{_root}/brokers/topics/orders/partitions/1/state", State(3, [3, 2, 1])); // led by 3, prefers 2
        _app = AccessTestApp.Create(new()
        {
            ["Auth:AnonymousRead"] = "true",
            ["Dashboard:Clusters:0:Name"] = "Local",
            ["Dashboard:Clusters:0:ConnectString"] = ensemble.Sandbox.ConnectString,
            ["Dashboard:Clusters:0:KafkaChroot"] = _root,
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _kazoo.DisposeAsync();
        await _client.DisposeAsync();
    }

    private Task<PreferredElectionAnswer> RequestAsync(ClaimsPrincipal user, string? topic = null) =>
        _app.Services.GetRequiredService<PreferredElectionService>().RequestAsync(user, "local", topic, "circuit", CancellationToken.None);

    private static ClaimsPrincipal User(string name, DashboardRole role) => DashboardPrincipal.Create(name, role, "password", AccessSchemes.Cookie);

    private async Task<AuditEntry> LastAuditAsync() =>
        (await AccessTestApp.AuditAsync(_app)).Where(e => e.Action == PreferredElectionService.AuditAction).OrderBy(e => e.At).Last();

    private async Task<bool> RequestWrittenAsync() => await _client.ExistsAsync($"{_root}/admin/preferred_replica_election") is not null;

    [Fact]
    public async Task Viewer_Refused403NothingWrittenAuditedDenied()
    {
        var answer = await RequestAsync(User(AccessTestApp.ViewerName, DashboardRole.Viewer));

        Assert.Equal(403, answer.Status);
        Assert.False(answer.Accepted);
        Assert.Contains("operator role", answer.Message, StringComparison.Ordinal);
        Assert.False(await RequestWrittenAsync());
        var entry = await LastAuditAsync();
        Assert.Equal((AccessTestApp.ViewerName, AuditOutcome.Denied, "circuit", "local/all topics"), (entry.User, entry.Outcome, entry.Address, entry.Target));
    }

    [Fact]
    public async Task AnonymousInAnonymousReadMode_Refused401NothingWritten()
    {
        var answer = await RequestAsync(new ClaimsPrincipal(new ClaimsIdentity()));

        Assert.Equal(401, answer.Status);
        Assert.False(await RequestWrittenAsync());
        var entry = await LastAuditAsync();
        Assert.Equal((DashboardPrincipal.Anonymous, AuditOutcome.Denied), (entry.User, entry.Outcome));
    }

    [Fact]
    public async Task Operator_OffPreferredPartition_RequestWrittenAndAuditedSucceeded()
    {
        var answer = await RequestAsync(User(AccessTestApp.OperatorName, DashboardRole.Operator), "orders");

        Assert.True(answer.Status == 202, answer.Message);
        Assert.Equal(["orders-1"], answer.Result!.Partitions.Select(p => p.ToString()));
        Assert.True(await RequestWrittenAsync());
        var entry = await LastAuditAsync();
        Assert.Equal((AccessTestApp.OperatorName, AuditOutcome.Succeeded, "local/orders", "1 partition(s)"), (entry.User, entry.Outcome, entry.Target, entry.After));

        // The one request is still pending (no controller runs it here): a second is refused as Kafka's tool refuses it.
        var again = await RequestAsync(User(AccessTestApp.AdminName, DashboardRole.Admin));
        Assert.Equal(409, again.Status);
        Assert.Contains("already pending", again.Message, StringComparison.Ordinal);
        Assert.Equal(AuditOutcome.Failed, (await LastAuditAsync()).Outcome);
    }

    [Fact]
    public async Task Operator_KraftControllerHoldsControllerZnode_Refused409WithTheReasonNothingWritten()
    {
        await _kazoo.CreateAsync($"{_root}/controller", ControllerV2(3000, kraftControllerEpoch: 5));

        var answer = await RequestAsync(User(AccessTestApp.OperatorName, DashboardRole.Operator));

        Assert.Equal(409, answer.Status);
        Assert.StartsWith("Refused: ", answer.Message, StringComparison.Ordinal);
        Assert.Contains("KRaft controller (node 3000", answer.Message, StringComparison.Ordinal);
        Assert.False(await RequestWrittenAsync());
        Assert.Equal(AuditOutcome.Failed, (await LastAuditAsync()).Outcome);
    }

    /// <summary>
    /// The page's dialog: the button stays off until the cluster id is typed as shown, then the request goes through
    /// the service with the dialog's user (here an operator) and the dialog closes with the service's answer.
    /// </summary>
    [Fact]
    public async Task Dialog_TypedClusterId_RequestsThroughTheServiceAndClosesWithItsAnswer()
    {
        await using var ui = new ComponentContext(services => services.AddSingleton(_app.Services.GetRequiredService<PreferredElectionService>()));
        var dialogs = ui.Bunit.Render<MudBlazor.MudDialogProvider>();
        var service = ui.Bunit.Services.GetRequiredService<MudBlazor.IDialogService>();
        var parameters = new MudBlazor.DialogParameters<Dashboard.Components.Controls.KafkaView.PreferredElectionDialog>
        {
            { d => d.ClusterId, "local" },
            { d => d.User, User(AccessTestApp.OperatorName, DashboardRole.Operator) },
            { d => d.Topics, ["orders"] },
        };
        var reference = await dialogs.InvokeAsync(() => service.ShowAsync<Dashboard.Components.Controls.KafkaView.PreferredElectionDialog>("Preferred leader election", parameters));

        Assert.Equal("local", dialogs.Find("#election-expected").TextContent.Trim());
        dialogs.Find("#election-confirm").Input("loca");
        Assert.True(dialogs.Find("#election-submit").HasAttribute("disabled"));
        Assert.False(await RequestWrittenAsync());
        dialogs.Find("#election-confirm").Input("local");
        Assert.False(dialogs.Find("#election-submit").HasAttribute("disabled"));
        await dialogs.Find("#election-submit").ClickAsync(new());

        var result = await reference.Result.WaitAsync(TimeSpan.FromSeconds(30));
        var answer = Assert.IsType<PreferredElectionAnswer>(result!.Data);
        Assert.True(answer.Status == 202, answer.Message);
        Assert.Equal(["orders-1"], answer.Result!.Partitions.Select(p => p.ToString()));
        Assert.True(await RequestWrittenAsync());
        var entry = await LastAuditAsync();
        Assert.Equal((AccessTestApp.OperatorName, AuditOutcome.Succeeded, "circuit", "local/all topics"), (entry.User, entry.Outcome, entry.Address, entry.Target));
    }
}
