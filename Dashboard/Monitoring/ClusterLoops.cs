using Dashboard.Core.Clusters;

namespace Dashboard.Monitoring;

/// <summary>
/// One background loop per cluster that a monitor wants, kept in step with the registry: a new or changed
/// definition (re)starts its loop, a cluster that leaves stops its loop. Shared by the ensemble and Kafka monitors.
/// </summary>
internal sealed class ClusterLoops(
    ClusterRegistry registry,
    Func<ClusterEntry, bool> wants,
    Func<ClusterDefinition, CancellationToken, Task> loop,
    Action<string>? removed = null)
{
    private readonly Dictionary<string, (ClusterDefinition Definition, CancellationTokenSource Stop, Task Loop)> _loops = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private CancellationToken _stopping;

    /// <summary>Runs until <paramref name="stoppingToken"/> ends, then stops every loop and waits for them.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        registry.Changed += Reconcile;
        try
        {
            Reconcile(registry.Clusters);
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            registry.Changed -= Reconcile;
            Task[] loops;
            lock (_gate)
            {
                foreach (var running in _loops.Values) running.Stop.Cancel();
                loops = _loops.Values.Select(l => l.Loop).ToArray();
            }
            await Task.WhenAll(loops).ConfigureAwait(false);
            lock (_gate)
            {
                foreach (var running in _loops.Values) running.Stop.Dispose();
                _loops.Clear();
            }
        }
    }

    private void Reconcile(IReadOnlyList<ClusterEntry> clusters)
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested) return;
            var wanted = clusters.Where(wants).ToDictionary(c => c.Definition.Id, c => c.Definition, StringComparer.Ordinal);
            foreach (var (id, running) in _loops.ToList())
            {
                if (wanted.TryGetValue(id, out var definition) && definition == running.Definition) continue;
                running.Stop.Cancel();
                _loops.Remove(id);
                if (!wanted.ContainsKey(id)) removed?.Invoke(id);
            }
            foreach (var (id, definition) in wanted.Where(w => !_loops.ContainsKey(w.Key)))
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
                _loops[id] = (definition, stop, Task.Run(() => loop(definition, stop.Token)));
            }
        }
    }
}
