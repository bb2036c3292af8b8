using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Dashboard.Components.Controls;
using Dashboard.Components.Controls.EnsembleView;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;

namespace Dashboard.Live;

/// <summary>
/// Re-renders a cluster's live ensemble part (and the overview's cluster list) after each poll and pushes it only
/// when the markup changed, at most once per <see cref="MinimumGap"/>: bursts collapse into the newest state.
/// </summary>
internal sealed partial class EnsemblePusher(EnsembleStore store, ClusterRegistry registry, LiveFragmentPublisher publisher, ILogger<EnsemblePusher> logger) : BackgroundService
{
    public static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastHtml = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnUpdated(ClusterEnsembleState state, ImmutableArray<EnsembleEvent> events)
        {
            _dirty[state.Latest.ClusterId] = 0;
            _wake.Writer.TryWrite(true);
        }
        store.Updated += OnUpdated;
        try
        {
            await foreach (var _ in _wake.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var id in _dirty.Keys)
                {
                    _dirty.TryRemove(id, out var _);
                    await PushAsync(id, stoppingToken).ConfigureAwait(false);
                }
                await PushIfChangedAsync<ClusterList>(LiveTopics.Clusters, ClusterList.Parameters(registry.Clusters, store.Latest), stoppingToken).ConfigureAwait(false);
                await Task.Delay(MinimumGap, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.Updated -= OnUpdated;
        }
    }

    private Task PushAsync(string clusterId, CancellationToken cancellationToken)
    {
        var cluster = registry.Find(clusterId);
        if (cluster is null) return Task.CompletedTask;
        return PushIfChangedAsync<EnsembleLive>(LiveTopics.Ensemble(clusterId),
            new Dictionary<string, object?> { [nameof(EnsembleLive.Cluster)] = cluster.Definition, [nameof(EnsembleLive.State)] = store.Get(clusterId) },
            cancellationToken);
    }

    private async Task PushIfChangedAsync<TComponent>(string topic, Dictionary<string, object?> parameters, CancellationToken cancellationToken)
        where TComponent : Microsoft.AspNetCore.Components.IComponent
    {
        try
        {
            var html = await publisher.RenderAsync<TComponent>(parameters).ConfigureAwait(false);
            if (_lastHtml.TryGetValue(topic, out var last) && last == html) return;
            _lastHtml[topic] = html;
            await publisher.SendAsync(topic, html, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPushFailed(logger, topic, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push {Topic} to open pages.")]
    private static partial void LogPushFailed(ILogger logger, string topic, Exception exception);
}
