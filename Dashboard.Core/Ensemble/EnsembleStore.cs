using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Dashboard.Core.Ensemble;

/// <summary>A cluster's latest snapshot, a bounded window of earlier ones, and the recent events between them.</summary>
public sealed record ClusterEnsembleState(EnsembleSnapshot Latest, ImmutableQueue<EnsembleSnapshot> History, ImmutableQueue<EnsembleEvent> Events);

/// <summary>
/// The live state of every monitored ensemble, in memory and bounded: pollers write, pages and the API read. Each
/// state is immutable and replaced whole, so a reader never sees half an update. Persistence is the history issue's.
/// </summary>
public sealed class EnsembleStore(int historyLimit = 150, int eventLimit = 200)
{
    private readonly ConcurrentDictionary<string, ClusterEnsembleState> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _gates = new(StringComparer.Ordinal);

    /// <summary>Raised after each recorded snapshot, with the events it produced (possibly none).</summary>
    public event Action<ClusterEnsembleState, ImmutableArray<EnsembleEvent>>? Updated;

    /// <summary>
    /// Calls <paramref name="changed"/> after every snapshot of <paramref name="clusterId"/> (every cluster when null).
    /// The callback only signals: it runs on the poller's thread, so it must not block; read the newest state with
    /// <see cref="Get"/> when the screen renders.
    /// </summary>
    public IDisposable Subscribe(string? clusterId, Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        void OnUpdated(ClusterEnsembleState state, ImmutableArray<EnsembleEvent> _)
        {
            if (clusterId is null || state.Latest.ClusterId == clusterId) changed();
        }
        Updated += OnUpdated;
        return new Live.Subscription(() => Updated -= OnUpdated);
    }

    public ClusterEnsembleState? Get(string clusterId) => _states.TryGetValue(clusterId, out var s) ? s : null;

    public IReadOnlyDictionary<string, EnsembleSnapshot> Latest => _states.ToDictionary(p => p.Key, p => p.Value.Latest, StringComparer.Ordinal);

    public ImmutableArray<EnsembleEvent> Record(EnsembleSnapshot snapshot) => Record(snapshot, onlyNewer: false) ?? [];

    /// <summary>
    /// Records a snapshot another replica polled, unless the store already holds one taken at the same time or later
    /// (this replica's own poll may have come in between): null then.
    /// </summary>
    public ImmutableArray<EnsembleEvent>? RecordNewer(EnsembleSnapshot snapshot) => Record(snapshot, onlyNewer: true);

    private ImmutableArray<EnsembleEvent>? Record(EnsembleSnapshot snapshot, bool onlyNewer)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ClusterEnsembleState state;
        ImmutableArray<EnsembleEvent> events;
        lock (_gates.GetOrAdd(snapshot.ClusterId, _ => new object()))
        {
            var previous = Get(snapshot.ClusterId);
            if (onlyNewer && previous is not null && previous.Latest.TakenAt >= snapshot.TakenAt) return null;
            events = EnsembleEvent.Between(previous?.Latest, snapshot);
            var history = Bound((previous?.History ?? []).Enqueue(snapshot), historyLimit);
            var log = previous?.Events ?? [];
            foreach (var e in events) log = log.Enqueue(e);
            state = new ClusterEnsembleState(snapshot, history, Bound(log, eventLimit));
            _states[snapshot.ClusterId] = state;
        }
        Updated?.Invoke(state, events);
        return events;
    }

    /// <summary>Forgets a cluster that left the registry.</summary>
    public void Remove(string clusterId) => _states.TryRemove(clusterId, out _);

    private static ImmutableQueue<T> Bound<T>(ImmutableQueue<T> queue, int limit)
    {
        // Queues here grow by one per record, so one dequeue keeps them at the limit.
        var count = queue.Count();
        for (; count > limit; count--) queue = queue.Dequeue();
        return queue;
    }
}
