using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Dashboard.Components.Controls.MaintenanceView;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Maintenance;
using Dashboard.Live;

namespace Dashboard.Maintenance;

/// <summary>
/// Pushes a cluster's maintenance part when its run changes, and after each poll while a run is active (the
/// topology beside the run). Bursts collapse; unchanged markup is not sent.
/// </summary>
internal sealed partial class MaintenancePusher(MaintenanceCoordinator runs, EnsembleStore store, LiveFragmentPublisher publisher, ILogger<MaintenancePusher> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _active = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastHtml = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnRun(MaintenanceRun run)
        {
            if (run.IsActive) _active[run.ClusterId] = 0;
            else _active.TryRemove(run.ClusterId, out _);
            Wake(run.ClusterId);
        }
        void OnPoll(ClusterEnsembleState state, ImmutableArray<EnsembleEvent> events)
        {
            if (_active.ContainsKey(state.Latest.ClusterId)) Wake(state.Latest.ClusterId);
        }
        runs.Changed += OnRun;
        store.Updated += OnPoll;
        try
        {
            await foreach (var _ in _wake.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var id in _dirty.Keys)
                {
                    _dirty.TryRemove(id, out var _);
                    await PushAsync(id, stoppingToken).ConfigureAwait(false);
                }
                await Task.Delay(MinimumGap, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            runs.Changed -= OnRun;
            store.Updated -= OnPoll;
        }
    }

    private void Wake(string clusterId)
    {
        _dirty[clusterId] = 0;
        _wake.Writer.TryWrite(true);
    }

    private async Task PushAsync(string clusterId, CancellationToken cancellationToken)
    {
        var topic = LiveTopics.Maintenance(clusterId);
        try
        {
            var run = CurrentRun(runs, clusterId);
            var html = await publisher.RenderAsync<MaintenanceLive>(MaintenanceLive.Parameters(clusterId, run, store.Get(clusterId)?.Latest)).ConfigureAwait(false);
            if (_lastHtml.TryGetValue(topic, out var last) && last == html) return;
            _lastHtml[topic] = html;
            await publisher.SendAsync(topic, html, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPushFailed(logger, topic, e);
        }
    }

    /// <summary>What the live part shows: the active run, else the latest one, with its log.</summary>
    public static MaintenanceRun? CurrentRun(MaintenanceCoordinator runs, string clusterId) =>
        (runs.Active(clusterId) ?? runs.List(clusterId, 1).FirstOrDefault()) is { } run ? runs.Get(run.Id) : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push {Topic} to open pages.")]
    private static partial void LogPushFailed(ILogger logger, string topic, Exception exception);
}
