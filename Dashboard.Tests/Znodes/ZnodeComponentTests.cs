using System.Text;
using Bunit;
using Dashboard.Components.Znodes;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.Znodes;
using Dashboard.Tests.Support;
using Dashboard.Znodes;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Dashboard.Tests.Znodes;

/// <summary>Znode components rendered alone with bUnit, as in an open circuit.</summary>
public sealed class ZnodeComponentTests : IAsyncLifetime
{
    private ComponentContext _ui = null!;

    public Task InitializeAsync()
    {
        _ui = new ComponentContext();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ui.DisposeAsync();

    private static NodeStat Stat(int children = 0) => new(1, 2, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0, 0, 0, 0, 0, children, 3);

    [Fact]
    public void DataPanel_LargeValue_PreviewsWithNoticeAndDownloadLink()
    {
        var data = new byte[200_000];
        Array.Fill(data, (byte)'x');

        var panel = _ui.Bunit.Render<ZnodeDataPanel>(p => p.Add(x => x.ClusterId, "c1").Add(x => x.Path, "/big node").Add(x => x.Data, data));

        Assert.Contains("Showing the first 64 KB of 195.3 KB", panel.Find("#znode-data .znode-truncated").TextContent, StringComparison.Ordinal);
        Assert.Equal(64 * 1024, panel.Find("#znode-text").TextContent.Length);
        Assert.Equal("/clusters/c1/znodes/download?path=%2Fbig%20node", panel.Find("#znode-download").GetAttribute("href"));
    }

    [Fact]
    public void DataPanel_ViewLinks_AreDeepLinksWithTheViewInTheUrl()
    {
        var panel = _ui.Bunit.Render<ZnodeDataPanel>(p => p.Add(x => x.ClusterId, "c1").Add(x => x.Path, "/a").Add(x => x.Data, "{\"k\":[1]}"u8.ToArray()).Add(x => x.View, DataView.Base64));

        Assert.Equal("/clusters/c1/znodes?path=%2Fa&view=hex", panel.Find("a[data-view-link='hex']").GetAttribute("href"));
        Assert.Equal("base64", panel.Find("#znode-data").GetAttribute("data-view"));
        Assert.Equal("true", panel.Find("a[data-view-link='base64']").GetAttribute("aria-selected"));
        Assert.Contains("JSON (detected)", panel.Find("a[data-view-link='json']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonTree_KeyAndValueWithBidiControl_ShowTheHiddenCharacterAsAMark()
    {
        var panel = _ui.Bunit.Render<ZnodeDataPanel>(p => p.Add(x => x.ClusterId, "c1").Add(x => x.Path, "/a").Add(x => x.Data, Encoding.UTF8.GetBytes("{\"ad\u202Emin\":\"exe\u200B.txt\"}")));

        var marks = panel.FindAll("#znode-json [data-hidden-char]");
        Assert.Equal(2, marks.Count);
        Assert.Contains("U+202E", marks[0].TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', panel.Find("#znode-json").TextContent);
    }

    [Fact]
    public void Breadcrumbs_RootAndSegments_NamesShownWithTheirHiddenCharacters()
    {
        var crumbs = _ui.Bunit.Render<ZnodeBreadcrumbs>(p => p.Add(x => x.ClusterId, "c1").Add(x => x.Path, "/brokers/i\u2066ds"));

        var items = crumbs.FindAll("#znode-breadcrumbs li");
        Assert.Equal(3, items.Count);
        Assert.Equal("/", items[0].TextContent.Trim());
        Assert.Equal("brokers", items[1].TextContent.Trim());
        Assert.NotNull(items[2].QuerySelector("[data-hidden-char]"));
        Assert.Equal("/clusters/c1/znodes?path=%2Fbrokers%2Fi%E2%81%A6ds", items[2].QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void Link_PathTooLongForAUrl_OpensThroughTheNavigatorByState()
    {
        var longPath = "/" + new string('n', 5_000);
        string? opened = null;
        var navigator = new ZnodeNavigator(p => { opened = p; return Task.CompletedTask; });

        var link = _ui.Bunit.Render<Microsoft.AspNetCore.Components.CascadingValue<ZnodeNavigator>>(p => p
            .Add(x => x.Value, navigator)
            .AddChildContent<ZnodeLink>(l => l.Add(x => x.ClusterId, "c1").Add(x => x.Path, longPath).AddChildContent("long")));
        var shortLink = _ui.Bunit.Render<Microsoft.AspNetCore.Components.CascadingValue<ZnodeNavigator>>(p => p
            .Add(x => x.Value, navigator)
            .AddChildContent<ZnodeLink>(l => l.Add(x => x.ClusterId, "c1").Add(x => x.Path, "/short").AddChildContent("short")));

        Assert.NotNull(link.Find("a[data-long-path]"));
        link.Find("a").Click();
        Assert.Equal(longPath, opened);
        Assert.Equal("/clusters/c1/znodes?path=%2Fshort", shortLink.Find("a").GetAttribute("href"));
    }

    [Fact]
    public async Task Tree_LevelOverTheCap_ShowsTheFirstNamesTheCurrentNodeAndAMoreEntry()
    {
        var names = Enumerable.Range(0, ZnodeTreeLevel.MaxNames).Select(i => $"c{i:D6}").Append("c099999").ToList();
        var levels = new[] { new ZnodeTreeLevel("/", ["wide"], 1), new ZnodeTreeLevel("/wide", names, 100_000) };
        // Only levels given are rendered: the app's browser is there for expanding, which this test does not do.
        await using var app = ZnodeTestApp.Start("127.0.0.1:1");
        await using var components = app.Components();

        var tree = components.Context.Bunit.Render<ZnodeTree>(p => p.Add(x => x.ClusterId, "c1").Add(x => x.CurrentPath, "/wide/c099999").Add(x => x.Levels, levels));

        Assert.Equal(ZnodeTreeLevel.MaxNames + 1, tree.FindAll("ul[data-level='/wide'] > li[data-tree-node]").Count);
        Assert.NotNull(tree.Find("a.znode-current[href='/clusters/c1/znodes?path=%2Fwide%2Fc099999']"));
        var more = tree.Find("li[data-tree-more]");
        Assert.Equal((100_000 - ZnodeTreeLevel.MaxNames - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), more.GetAttribute("data-tree-more"));
        Assert.Equal("/clusters/c1/znodes?path=%2Fwide", more.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void ChildrenGrid_PageOfAHundredThousand_NamesShownAndPagingInTheUrl()
    {
        var items = Enumerable.Range(50, 50).Select(i => new ChildEntry($"c{i:D6}", $"/wide/c{i:D6}", Stat())).Append(new ChildEntry("evil\u202Egnp.exe", "/wide/evil\u202Egnp.exe", Stat())).ToList();
        var page = new ChildrenPage(100_000, 100_000, new ChildrenQuery(50, 50), items, null);

        var grid = _ui.Bunit.Render<ZnodeChildrenTable>(p => p.Add(x => x.ClusterId, "c1").Add(x => x.Path, "/wide").Add(x => x.Page, page));

        Assert.Equal("100000", grid.Find("#children-counts").GetAttribute("data-total"));
        Assert.Equal(51, grid.FindAll("#znode-children [data-child]").Count);
        Assert.NotNull(grid.Find("[data-child='evil\u202Egnp.exe'] [data-hidden-char]"));
        Assert.Equal("/clusters/c1/znodes?path=%2Fwide", grid.Find("a[rel='prev']").GetAttribute("href"));
        Assert.Equal("/clusters/c1/znodes?path=%2Fwide&offset=100", grid.Find("a[rel='next']").GetAttribute("href"));
        Assert.NotNull(grid.FindComponent<MudDataGrid<ChildEntry>>());
    }

    [Fact]
    public void ChildrenGrid_Filter_PutsTheQueryInTheUrl()
    {
        var page = new ChildrenPage(3, 3, new ChildrenQuery(), [new ChildEntry("a", "/p/a", Stat())], null);
        var grid = _ui.Bunit.Render<ZnodeChildrenTable>(p => p.Add(x => x.ClusterId, "c1").Add(x => x.Path, "/p").Add(x => x.Page, page));

        grid.Find("#children-filter").Change("odd-*");
        grid.Find("form").Submit();

        var navigation = _ui.Bunit.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        Assert.EndsWith("/clusters/c1/znodes?path=%2Fp&filter=odd-%2A", navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypedConfirmation_NameWithHiddenCharacter_AcceptsTheNameAsShownOnly()
    {
        var dialogs = _ui.Bunit.Render<MudDialogProvider>();
        var service = _ui.Bunit.Services.GetRequiredService<IDialogService>();
        const string path = "/app/con\u202Efig";
        var parameters = new DialogParameters<TypedConfirmationDialog> { { d => d.Expected, path }, { d => d.Message, "This deletes 3 node(s)." }, { d => d.ActionText, "Delete 3 node(s)" } };

        var reference = await dialogs.InvokeAsync(() => service.ShowAsync<TypedConfirmationDialog>("Confirm", parameters));

        var shown = dialogs.Find("#typed-confirmation").GetAttribute("data-expected-shown")!;
        Assert.Contains("[U+202E", shown, StringComparison.Ordinal);
        dialogs.Find("#typed-confirm").Input("/app/config");
        Assert.True(dialogs.Find("#typed-go").HasAttribute("disabled"));
        dialogs.Find("#typed-confirm").Input(shown);
        Assert.False(dialogs.Find("#typed-go").HasAttribute("disabled"));
        dialogs.Find("#typed-go").Click();

        var result = await reference.Result;
        Assert.Equal(shown, result?.Data);
    }
}
