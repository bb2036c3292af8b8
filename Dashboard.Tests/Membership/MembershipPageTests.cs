using System.Diagnostics;
using Bunit;
using Dashboard.Components.Pages.Membership;
using Dashboard.Core.Clusters;
using Dashboard.Core.Membership;
using Dashboard.Membership;
using Dashboard.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Membership;

/// <summary>
/// The membership page in bUnit on the real ensemble (same sandbox as the chain of changes): an admin's plan from
/// the URL, the typed confirmation, and the run followed live through the coordinator's subscription until it
/// ends, without a navigation. It removes the observer and adds it back, so the ensemble keeps its shape.
/// </summary>
public sealed partial class MembershipChangeTests
{
    [Fact]
    public async Task Page_AdminRemovesTheObserverAndAddsItBack_TypedConfirmation_RunFollowedLive()
    {
        var sandbox = ensemble.Sandbox;
        var observerId = (await ReadAsync()).Members.First(m => m.IsObserver).Id;
        var observer = sandbox.Nodes.Single(n => n.Id == observerId);
        await using var coordinator = ensemble.Coordinator();
        await using var ui = new ComponentContext(s => s
            .AddSingleton(ensemble.Registry)
            .AddSingleton(coordinator)
            .AddSingleton(new MembershipActions(coordinator, ensemble.Registry, ensemble.Audit, TimeProvider.System)), interactive: false);
        // Authorization first: bUnit takes no services once one was read, and the renderer info reads them.
        var auth = ui.Bunit.AddAuthorization();
        auth.SetAuthorized("alice");
        auth.SetRoles("viewer", "operator", "admin");
        ui.Bunit.SetRendererInfo(new RendererInfo("Server", true));
        ui.Bunit.Render<MudPopoverProvider>();
        var dialogs = ui.Bunit.Render<MudDialogProvider>();
        var navigation = ui.Bunit.Services.GetRequiredService<NavigationManager>();
        var name = ensemble.Cluster.Name;

        var clock = Stopwatch.StartNew();
        navigation.NavigateTo($"/clusters/{Cluster}/membership?kind=remove&servers={observerId}");
        var page = ui.Bunit.Render<MembershipPage>(p => p.Add(c => c.ClusterId, Cluster));
        var removed = ChangeThroughThePage(page, dialogs, navigation, name);
        var view = await ReadAsync();
        Assert.DoesNotContain(view.Members, m => m.Id == observerId);
        output.WriteLine($"page: remove server.{observerId}: plan, confirm and run {clock.ElapsedMilliseconds} ms (run {removed})");

        // Back: the removed server is made ready with the members' configuration, then added as an observer from the page.
        await sandbox.PrepareToJoinAsync(observerId, [.. MembershipPlanner.ConfigAfter(view, [])]);
        clock.Restart();
        navigation.NavigateTo($"/clusters/{Cluster}/membership?kind=add-observer&servers={observerId}&host={observer.Host}" +
                              $"&quorumPort={observer.QuorumPort}&electionPort={observer.ElectionPort}&clientPort={observer.ClientPort}");
        var added = ChangeThroughThePage(page, dialogs, navigation, name);
        Assert.True((await ReadAsync()).Members.Single(m => m.Id == observerId).IsObserver);
        output.WriteLine($"page: add-observer server.{observerId}: plan, confirm and run {clock.ElapsedMilliseconds} ms (run {added})");

        Assert.Contains(ensemble.Audit.Entries, e => e is { Action: "membership-start", Address: "circuit", User: "alice" } && e.Target!.Contains(removed, StringComparison.Ordinal));
        Assert.Contains(page.FindAll("#membership-runs [data-run]"), r => r.GetAttribute("data-run") == removed && r.GetAttribute("data-state") == "succeeded");
    }

    /// <summary>Checks the plan on screen, confirms it by typing the cluster's name, and waits for the run to end on screen.</summary>
    private static string ChangeThroughThePage(IRenderedComponent<MembershipPage> page, IRenderedComponent<MudDialogProvider> dialogs,
        NavigationManager navigation, string clusterName)
    {
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("#plan").GetAttribute("data-can-start")), TimeSpan.FromSeconds(60));
        var before = page.Find("#plan").GetAttribute("data-from-version")!;
        Assert.Equal("true", page.Find("#plan-checks [data-rule='majority-kept']").GetAttribute("data-passed"));

        // Not awaited: the click's handler waits for the dialog's answer, which this test gives below.
        page.Find("#open-start").Click();
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("#typed-confirm")));
        Assert.True(dialogs.Find("#typed-go").HasAttribute("disabled"));
        dialogs.Find("#typed-confirm").Input(clusterName + " cluster");
        Assert.True(dialogs.Find("#typed-go").HasAttribute("disabled"));
        dialogs.Find("#typed-confirm").Input(clusterName);
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("#typed-go").HasAttribute("disabled")));
        dialogs.Find("#typed-go").Click();

        // Started, the page moves to the run; from then on only the subscription re-renders it.
        page.WaitForAssertion(() => Assert.Contains("run=", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var uri = navigation.Uri;
        var runId = uri[(uri.IndexOf("run=", StringComparison.Ordinal) + 4)..];
        page.WaitForAssertion(() => Assert.Equal("succeeded", page.Find("#run-state").GetAttribute("data-state")), TimeSpan.FromSeconds(90));
        Assert.Equal(uri, navigation.Uri);
        Assert.Contains(runId, page.Find("#membership-live").GetAttribute("data-run-version"), StringComparison.Ordinal);
        Assert.Empty(page.FindAll("#plan"));
        var step = page.Find("#run-steps tr[data-step='1']");
        Assert.Equal("succeeded", step.GetAttribute("data-state"));
        Assert.Contains(before, step.TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("#run-log li"));
        return runId;
    }
}
