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
internal sealed class KafkaPusher(KafkaStore store, ClusterRegistry registry, KafkaIsrViews views, LiveFragmentPublisher publisher)
    : BackgroundService
{
    public static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
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
        await publisher.PublishIfChangedAsync<KafkaOverviewLive>(KafkaLiveTopics.Overview(clusterId), KafkaOverviewLive.Parameters(cluster.Definition, state), cancellationToken).ConfigureAwait(false);
        foreach (var view in views.Of(clusterId))
            await publisher.PublishIfChangedAsync<IsrTable>(view.LiveTopic, IsrTable.Parameters(clusterId, view.Topic, state, view.Query), cancellationToken).ConfigureAwait(false);
    }
}
