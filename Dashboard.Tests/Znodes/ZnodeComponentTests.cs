using AngleSharp.Html.Parser;
using Dashboard.Components.Znodes;
using Dashboard.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dashboard.Tests.Znodes;

/// <summary>Znode components rendered alone with HtmlRenderer, as the htmx fragments are.</summary>
public sealed class ZnodeComponentTests
{
    private static async Task<AngleSharp.Html.Dom.IHtmlDocument> RenderAsync<T>(Dictionary<string, object?> parameters) where T : IComponent
    {
        await using var app = new DashboardAppFactory();
        await using var scope = app.Services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters))).ToHtmlString());
        return await new HtmlParser().ParseDocumentAsync(html);
    }

    [Fact]
    public async Task DataPanel_LargeValue_PreviewsWithNoticeAndDownloadLink()
    {
        var data = new byte[200_000];
        Array.Fill(data, (byte)'x');

        var html = await RenderAsync<ZnodeDataPanel>(new() { ["ClusterId"] = "c1", ["Path"] = "/big node", ["Data"] = data });

        Assert.Contains("Showing the first 64 KB of 195.3 KB", html.QuerySelector("#znode-data .alert-info")?.TextContent, StringComparison.Ordinal);
        Assert.Equal(64 * 1024, html.QuerySelector("#znode-text")?.TextContent.Length);
        Assert.Equal("/clusters/c1/znodes/download?path=%2Fbig%20node", html.QuerySelector("a[download]")?.GetAttribute("href"));
    }

    [Fact]
    public async Task DataPanel_ViewLinks_AreDeepLinksAndHtmxFragments()
    {
        var html = await RenderAsync<ZnodeDataPanel>(new() { ["ClusterId"] = "c1", ["Path"] = "/a", ["Data"] = "{\"k\":[1]}"u8.ToArray(), ["View"] = Dashboard.Core.Znodes.DataView.Base64 });

        var hex = html.QuerySelector("a[data-view-link='hex']")!;
        Assert.Equal("/clusters/c1/znodes?path=%2Fa&view=hex", hex.GetAttribute("href"));
        Assert.Equal("/clusters/c1/znodes/data?path=%2Fa&view=hex", hex.GetAttribute("hx-get"));
        Assert.Equal("base64", html.QuerySelector("#znode-data")?.GetAttribute("data-view"));
        Assert.Contains("JSON (detected)", html.QuerySelector("a[data-view-link='json']")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Breadcrumbs_RootAndSegments_RootIsNotDividedFromItself()
    {
        var html = await RenderAsync<ZnodeBreadcrumbs>(new() { ["ClusterId"] = "c1", ["Path"] = "/brokers/ids" });

        var items = html.QuerySelectorAll("#znode-breadcrumbs li");
        Assert.Equal(["/", "brokers", "ids"], items.Select(li => li.TextContent.Trim()));
        // Bootstrap draws its "/" divider before every .breadcrumb-item that follows another: the root must not be one.
        Assert.False(items[0].ClassList.Contains("breadcrumb-item"));
        Assert.All(items.Skip(1), li => Assert.True(li.ClassList.Contains("breadcrumb-item")));

        var root = await RenderAsync<ZnodeBreadcrumbs>(new() { ["ClusterId"] = "c1", ["Path"] = "/" });
        Assert.Equal("/", root.QuerySelector("#znode-breadcrumbs")!.TextContent.Trim());
    }
}
