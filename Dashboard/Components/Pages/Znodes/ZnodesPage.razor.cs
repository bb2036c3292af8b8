using Dashboard.Core.Znodes;
using Dashboard.Znodes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Components.Pages.Znodes;

/// <summary>
/// The znode browser. The path, the children's page, filter and sort, and the data view are in the URL, so every
/// view is a deep link; a node whose address does not fit a URL is opened by state (see <see cref="ZnodeNavigator"/>).
/// A missing node, an invalid path or an unknown cluster is a 404.
/// </summary>
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
    [CascadingParameter] public Task<AuthenticationState>? Authentication { get; set; }
    [Inject] internal ZnodeBrowser Browser { get; init; } = null!;
    [Inject] internal ZnodeWriteGate WriteGate { get; init; } = null!;
    [Inject] internal TimeProvider Time { get; init; } = null!;
    [Inject] internal NavigationManager Navigation { get; init; } = null!;
    [Inject] internal Core.Kafka.KafkaStore KafkaStates { get; init; } = null!;

    internal ZnodeLoad? Load { get; private set; }
    internal IReadOnlyList<ZnodeTreeLevel>? Tree { get; private set; }
    private KafkaCard? Kafka { get; set; }
    private DataView? View => ZnodeQuery.View(ViewQuery);
    private string? Refusal { get; set; }
    private DateTimeOffset Now { get; set; }
    private int MaxValueBytes { get; set; }
    private bool IsAdmin { get; set; }
    private ZnodeActor? Actor { get; set; }
    private bool ChangesOpen { get; set; }
    private ZnodeNavigator Navigator { get; }

    /// <summary>A path opened by state (too long for a URL), and the URL it was opened at: another URL ends it.</summary>
    private string? StatePath { get; set; }
    private string? StateUri { get; set; }

    public ZnodesPage() => Navigator = new ZnodeNavigator(OpenByStateAsync);

    protected override async Task OnParametersSetAsync()
    {
        if (StateUri != Navigation.Uri) StatePath = null;
        var user = Authentication is null ? null : (await Authentication).User;
        Refusal = WriteGate.Refusal(user);
        IsAdmin = ZnodeWriteGate.IsAdmin(user);
        // A circuit has no client address of its own; the audit entry says the change came through it.
        Actor = user is null ? null : new ZnodeActor(user, "circuit");
        await LoadAsync(StatePath ?? PathQuery, ZnodeQuery.Children(Offset, Limit, Filter, Sort, Descending));
        if (Load?.ProblemKind is ZnodeProblemKind.UnknownCluster or ZnodeProblemKind.InvalidPath or ZnodeProblemKind.NoNode)
            Navigation.NotFound();
    }

    private async Task LoadAsync(string? path, ChildrenQuery query)
    {
        Now = Time.GetUtcNow();
        var load = await Browser.LoadAsync(ClusterId, path, query, CancellationToken.None);
        Tree = null;
        Kafka = null;
        if (load.Snapshot is { } node)
        {
            // Kafka's cards appear under its chroot: configured, else as the Kafka monitor detected it, else where detection looks.
            var chroot = load.Cluster?.Definition.KafkaChroot ?? KafkaStates.Get(ClusterId)?.Snapshot.Chroot;
            Kafka = load.Cluster?.Definition.WatchKafka == false ? null : KafkaZnodeCards.TryRead(node.Path, node.Data, node.Stat, chroot);
            try
            {
                MaxValueBytes = await Browser.RunAsync(ClusterId, (client, _) => Task.FromResult(ZnodeWriter.MaxValueBytes(client, node.Path)), CancellationToken.None);
                // The tree is a convenience: if it cannot be read in time the page still shows the node.
                Tree = await Browser.RunAsync(ClusterId, (client, ct) => ZnodeTreeLevel.AncestorsAsync(client, node.Path, ct), CancellationToken.None);
            }
            catch (Exception e) when (Browser.IsExpected(e, CancellationToken.None))
            {
                Tree = null;
            }
        }
        Load = load;
    }

    private async Task OpenByStateAsync(string path)
    {
        StatePath = path;
        StateUri = Navigation.Uri;
        await LoadAsync(path, ZnodeQuery.Children(null, null, null, null, null));
        StateHasChanged();
    }

    private async Task QueryInPlaceAsync(ChildrenQuery query)
    {
        if (StatePath is { } path) await LoadAsync(path, query);
    }

    /// <summary>After an applied change: show the node it leaves (itself, a new child, or the parent after a delete), with the changes open.</summary>
    private async Task ChangedAsync(string path)
    {
        ChangesOpen = true;
        var url = ZnodeUrls.Page(ClusterId, path);
        if (ZnodeUrls.Fits(url) && path != Load?.Path)
        {
            StatePath = null;
            Navigation.NavigateTo(url);
            return;
        }
        if (!ZnodeUrls.Fits(url)) await OpenByStateAsync(path);
        else await LoadAsync(path, Load?.Snapshot?.Children.Query ?? ZnodeQuery.Children(null, null, null, null, null));
    }

    private static string NodeName(string path) => path == "/" ? "/" : path[(path.LastIndexOf('/') + 1)..];
}
