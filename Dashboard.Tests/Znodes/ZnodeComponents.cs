using Bunit;
using Dashboard.Access;
using Dashboard.Components.Znodes;
using Dashboard.Core.Access;
using Dashboard.Core.Znodes;
using Dashboard.Tests.Support;
using Dashboard.Znodes;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Znodes;

/// <summary>
/// The znode components in bUnit with the app's real services (browser, write service, searches) against the real
/// ensemble: what the page's circuit does, without a browser.
/// </summary>
internal sealed class ZnodeComponents : IAsyncDisposable
{
    private readonly ZnodeTestApp _app;

    public ZnodeComponents(ZnodeTestApp app)
    {
        _app = app;
        var services = app.Factory.Services;
        Context = new ComponentContext(s =>
        {
            s.AddSingleton(services.GetRequiredService<ZnodeWriteService>());
            s.AddSingleton(services.GetRequiredService<ZnodeBrowser>());
            s.AddSingleton(services.GetRequiredService<ZnodeSearchJobs>());
            s.AddSingleton(services.GetRequiredService<ZnodeOptions>());
        });
        // Dialogs and selects need their providers on the page, as AppShell renders them.
        Context.Bunit.Render<MudPopoverProvider>();
        Dialogs = Context.Bunit.Render<MudDialogProvider>();
    }

    public ComponentContext Context { get; }
    public IRenderedComponent<MudDialogProvider> Dialogs { get; }

    public static ZnodeActor As(DashboardRole role) => new(DashboardPrincipal.Create(role.Name() + "-user", role, "password", "test"), "circuit");

    /// <summary>The edit panel for a node as the page shows it (read through the app's browser), acting as <paramref name="role"/>.</summary>
    public async Task<IRenderedComponent<ZnodeEditPanel>> EditPanelAsync(string path, DashboardRole role = DashboardRole.Operator)
    {
        var browser = _app.Factory.Services.GetRequiredService<ZnodeBrowser>();
        var load = await browser.LoadAsync(ZnodeTestApp.ClusterId, path, new ChildrenQuery(), CancellationToken.None);
        var node = load.Snapshot ?? throw new InvalidOperationException(load.Problem);
        var max = await browser.RunAsync(ZnodeTestApp.ClusterId, (client, _) => Task.FromResult(ZnodeWriter.MaxValueBytes(client, path)), CancellationToken.None);
        return Context.Bunit.Render<ZnodeEditPanel>(p => p
            .Add(x => x.ClusterId, ZnodeTestApp.ClusterId)
            .Add(x => x.Path, node.Path)
            .Add(x => x.Data, node.Data)
            .Add(x => x.DataIsNull, node.DataIsNull)
            .Add(x => x.Stat, node.Stat)
            .Add(x => x.Acl, node.Acl)
            .Add(x => x.MaxValueBytes, max)
            .Add(x => x.IsAdmin, role.Includes(DashboardRole.Admin))
            .Add(x => x.Actor, As(role)));
    }

    /// <summary>The outcome the panel shows once the change has run (it runs on the real ensemble).</summary>
    public static string? Outcome(IRenderedComponent<ZnodeEditPanel> panel)
    {
        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("#znode-write-outcome")), TimeSpan.FromSeconds(60));
        return panel.Find("#znode-write-outcome").GetAttribute("data-outcome");
    }

    public static AngleSharp.Dom.IElement NullBox(IRenderedComponent<ZnodeEditPanel> panel) => panel.Find("#znode-edit-form input[type=checkbox]");

    public static bool NullTicked(IRenderedComponent<ZnodeEditPanel> panel) => ((AngleSharp.Html.Dom.IHtmlInputElement)NullBox(panel)).IsChecked;

    public ValueTask DisposeAsync() => Context.DisposeAsync();
}
