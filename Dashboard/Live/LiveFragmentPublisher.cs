using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.SignalR;

namespace Dashboard.Live;

/// <summary>
/// Renders a component on the server, exactly as it renders inside its page, and pushes the HTML to every page
/// subscribed to the topic; the page's script morphs it in. One component is the only source of that markup.
/// </summary>
internal sealed class LiveFragmentPublisher(IServiceProvider services, ILoggerFactory loggerFactory, IHubContext<LiveHub> hub)
{
    public async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters) where TComponent : IComponent
    {
        // HtmlRenderer needs scoped services (ComponentsActivitySource), so it is made from a scope, not the root.
        await using var scope = services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggerFactory);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters)).ConfigureAwait(false);
            return output.ToHtmlString();
        }).ConfigureAwait(false);
    }

    public async Task PublishAsync<TComponent>(string topic, IDictionary<string, object?> parameters, CancellationToken cancellationToken = default)
        where TComponent : IComponent
    {
        var html = await RenderAsync<TComponent>(parameters).ConfigureAwait(false);
        await SendAsync(topic, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends markup already rendered (callers that skip unchanged markup render first, then decide).</summary>
    public Task SendAsync(string topic, string html, CancellationToken cancellationToken = default) =>
        hub.Clients.Group(topic).SendAsync("fragment", topic, html, cancellationToken);
}
