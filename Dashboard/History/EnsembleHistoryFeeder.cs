using System.Collections.Immutable;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;

namespace Dashboard.History;

/// <summary>Hands every recorded poll to the history recorder (which only queues writes).</summary>
internal sealed class EnsembleHistoryFeeder(EnsembleStore store, EnsembleHistoryRecorder recorder) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        store.Updated += OnUpdated;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        store.Updated -= OnUpdated;
        return Task.CompletedTask;
    }

    private void OnUpdated(ClusterEnsembleState state, ImmutableArray<EnsembleEvent> events) => recorder.Record(state.Latest, events);
}
