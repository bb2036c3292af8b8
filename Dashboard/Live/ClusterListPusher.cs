using System.Threading.Channels;
using Dashboard.Components.Controls;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;

namespace Dashboard.Live;

/// <summary>Pushes the cluster list to open pages whenever the registry changes (e.g. the sandbox becomes ready).</summary>
internal sealed partial class ClusterListPusher(ClusterRegistry registry, EnsembleStore store, LiveFragmentPublisher publisher, ILogger<ClusterListPusher> logger) : BackgroundService
{
    // Only the newest list matters: a burst of changes collapses into one push.
    private readonly Channel<IReadOnlyList<ClusterEntry>> _changes =
        Channel.CreateBounded<IReadOnlyList<ClusterEntry>>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnChanged(IReadOnlyList<ClusterEntry> clusters) => _changes.Writer.TryWrite(clusters);
        registry.Changed += OnChanged;
        try
        {
            await foreach (var clusters in _changes.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await publisher.PublishAsync<ClusterList>(LiveTopics.Clusters, ClusterList.Parameters(clusters, store.Latest), stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPushFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            registry.Changed -= OnChanged;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push the cluster list to open pages.")]
    private static partial void LogPushFailed(ILogger logger, Exception exception);
}
