using Dashboard.Core.Znodes;
using Dashboard.Znodes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace Dashboard.Components.Pages.Znodes;

/// <summary>The znode browser: the path is in the URL, so every view is a deep link.</summary>
public sealed partial class ZnodesPage
{
    [Parameter] public string ClusterId { get; set; } = "";
    [SupplyParameterFromQuery(Name = "path")] public string? PathQuery { get; set; }
    [SupplyParameterFromQuery(Name = "offset")] public int? Offset { get; set; }
    [SupplyParameterFromQuery(Name = "limit")] public int? Limit { get; set; }
    [SupplyParameterFromQuery(Name = "filter")] public string? Filter { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? Sort { get; set; }
    [SupplyParameterFromQuery(Name = "desc")] public bool? Descending { get; set; }
    [SupplyParameterFromQuery(Name = "view")] public string? ViewQuery { get; set; }
    [CascadingParameter] public HttpContext? HttpContext { get; set; }
    [Inject] internal AntiforgeryStateProvider Antiforgery { get; init; } = null!;
    [Inject] internal Core.Kafka.KafkaStore KafkaStates { get; init; } = null!;

    internal ZnodeLoad? Load { get; private set; }
    internal IReadOnlyList<ZnodeTreeLevel>? Tree { get; private set; }
    private KafkaCard? Kafka { get; set; }
    private DataView? View => ZnodeQuery.View(ViewQuery);
    private string? Refusal { get; set; }
    private string? Token { get; set; }
    private DateTimeOffset Now { get; set; }
    private int MaxValueBytes { get; set; }
    private bool IsAdmin { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Now = Time.GetUtcNow();
        var cancel = HttpContext?.RequestAborted ?? CancellationToken.None;
        if (HttpContext is not null)
        {
            Refusal = WriteGate.Refusal(HttpContext);
            IsAdmin = Dashboard.Access.DashboardPrincipal.RoleOf(HttpContext.User) is { } role && role >= Core.Access.DashboardRole.Admin;
        }
        Token = Antiforgery.GetAntiforgeryToken()?.Value;
        var query = ZnodeQuery.Children(Offset, Limit, Filter, Sort, Descending);
        Load = await Browser.LoadAsync(ClusterId, PathQuery, query, cancel);
        if (Load.Snapshot is { } node)
        {
            // Kafka's cards appear under its chroot: configured, else as the Kafka monitor detected it, else where detection looks.
            var chroot = Load.Cluster?.Definition.KafkaChroot ?? KafkaStates.Get(ClusterId)?.Snapshot.Chroot;
            Kafka = Load.Cluster?.Definition.WatchKafka == false ? null : KafkaZnodeCards.TryRead(node.Path, node.Data, node.Stat, chroot);
            try
            {
                MaxValueBytes = await Browser.RunAsync(ClusterId, (client, _) => Task.FromResult(ZnodeWriter.MaxValueBytes(client, node.Path)), cancel);
                // The tree is a convenience: if it cannot be read in time the page still shows the node.
                Tree = await Browser.RunAsync(ClusterId, (client, ct) => ZnodeTreeLevel.AncestorsAsync(client, node.Path, ct), cancel);
            }
            catch (Exception e) when (Browser.IsExpected(e, cancel))
            {
                Tree = null;
            }
        }
    }
}
