using System.Collections.Concurrent;
using System.Threading.Channels;
using Dashboard.Components.Controls.KafkaView;
using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka;

namespace Dashboard.Live;

/// <summary>
/// Re-renders a cluster's Kafka overview and its open ISR views after each change and pushes each only when its
/// markup changed, at most once per <see cref="MinimumGap"/>: a broker loss that rewrites thousands of states
/// becomes one push per view.
/// </summary>
internal sealed partial class KafkaPusher(KafkaStore store, ClusterRegistry registry, KafkaIsrViews views, LiveFragmentPublisher publisher, ILogger<KafkaPusher> logger)
    : BackgroundService
{
    public static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _lastHtml = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnChanged(string clusterId)
        {
            _dirty[clusterId] = 0;
            _wake.Writer.TryWrite(true);
        }
        void OnUpdated(ClusterKafkaState state) => OnChanged(state.ClusterId);
        store.Updated += OnUpdated;
        store.Removed += OnChanged;
        try
        {
            await foreach (var _ in _wake.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var id in _dirty.Keys)
                {
                    _dirty.TryRemove(id, out var _);
                    await PushClusterAsync(id, stoppingToken).ConfigureAwait(false);
                }
                await Task.Delay(MinimumGap, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.Updated -= OnUpdated;
            store.Removed -= OnChanged;
        }
    }

    private async Task PushClusterAsync(string clusterId, CancellationToken cancellationToken)
    {
        if (registry.Find(clusterId) is not { } cluster) return;
        var state = store.Get(clusterId);
        await PushIfChangedAsync<KafkaOverviewLive>(KafkaLiveTopics.Overview(clusterId), KafkaOverviewLive.Parameters(cluster.Definition, state), cancellationToken).ConfigureAwait(false);
        foreach (var view in views.Of(clusterId))
            await PushIfChangedAsync<IsrTable>(view.LiveTopic, IsrTable.Parameters(clusterId, view.Topic, state, view.Query), cancellationToken).ConfigureAwait(false);
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
