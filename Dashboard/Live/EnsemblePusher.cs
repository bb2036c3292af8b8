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
internal sealed class EnsemblePusher(EnsembleStore store, ClusterRegistry registry, LiveFragmentPublisher publisher) : BackgroundService
{
    public static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
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
                await publisher.PublishIfChangedAsync<ClusterList>(LiveTopics.Clusters, ClusterList.Parameters(registry.Clusters, store.Latest), stoppingToken).ConfigureAwait(false);
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
        return publisher.PublishIfChangedAsync<EnsembleLive>(LiveTopics.Ensemble(clusterId),
            new Dictionary<string, object?> { [nameof(EnsembleLive.Cluster)] = cluster.Definition, [nameof(EnsembleLive.State)] = store.Get(clusterId) },
            cancellationToken);
    }
}
