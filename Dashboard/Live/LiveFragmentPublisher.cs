using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.SignalR;

namespace Dashboard.Live;

/// <summary>
/// Renders a component on the server, exactly as it renders inside its page, and pushes the HTML to every page
/// subscribed to the topic; the page's script morphs it in. One component is the only source of that markup.
/// </summary>
internal sealed partial class LiveFragmentPublisher(IServiceProvider services, ILoggerFactory loggerFactory, IHubContext<LiveHub> hub)
{
    private readonly ConcurrentDictionary<string, string> _lastHtml = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggerFactory.CreateLogger<LiveFragmentPublisher>();

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

    /// <summary>
    /// Renders and pushes only when the markup differs from the last push on this topic: a poll that changed
    /// nothing a person sees costs one render and no traffic. A failure is logged, never thrown: the next change
    /// tries again.
    /// </summary>
    public async Task PublishIfChangedAsync<TComponent>(string topic, IDictionary<string, object?> parameters, CancellationToken cancellationToken = default)
        where TComponent : IComponent
    {
        try
        {
            var html = await RenderAsync<TComponent>(parameters).ConfigureAwait(false);
            if (_lastHtml.TryGetValue(topic, out var last) && last == html) return;
            _lastHtml[topic] = html;
            await SendAsync(topic, html, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPushFailed(_logger, topic, e);
        }
    }

    /// <summary>Sends markup already rendered.</summary>
    public Task SendAsync(string topic, string html, CancellationToken cancellationToken = default) =>
        hub.Clients.Group(topic).SendAsync("fragment", topic, html, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push {Topic} to open pages.")]
    private static partial void LogPushFailed(ILogger logger, string topic, Exception exception);
}
