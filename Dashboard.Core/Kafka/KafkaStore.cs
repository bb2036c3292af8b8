using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Dashboard.Core.Kafka;

/// <summary>A change as the live page lists it: when we saw it, and what.</summary>
public sealed record SeenKafkaEvent(DateTimeOffset At, KafkaClusterEvent Event);

/// <summary>
/// One cluster's Kafka as the pages show it: the latest snapshot and what it means, the controller history (kept
/// across watchers, which are replaced after a session expiry), recent changes, and a problem reading it, if any.
/// </summary>
public sealed record ClusterKafkaState(
    string ClusterId,
    KafkaClusterSnapshot Snapshot,
    KafkaClusterAnalysis Analysis,
    IReadOnlyList<ControllerChange> ControllerHistory,
    ImmutableQueue<SeenKafkaEvent> Events,
    string? Problem);

/// <summary>
/// The live Kafka state of every cluster that has Kafka, in memory and bounded (one snapshot per cluster, the newest
/// controller terms and events). A cluster without Kafka has no entry. States are immutable and replaced whole.
/// </summary>
public sealed class KafkaStore(int controllerHistoryLimit = 200, int eventLimit = 200)
{
    private readonly ConcurrentDictionary<string, ClusterKafkaState> _states = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _gates = new(StringComparer.Ordinal);

    /// <summary>Raised after every change of a cluster's state (a new snapshot, controller term or problem).</summary>
    public event Action<ClusterKafkaState>? Updated;

    /// <summary>Raised when a cluster's Kafka is forgotten (gone from the registry, or no longer found).</summary>
    public event Action<string>? Removed;

    /// <summary>
    /// Calls <paramref name="changed"/> after every change (or removal) of <paramref name="clusterId"/>'s Kafka state
    /// (every cluster when null). The callback only signals; read the newest state with <see cref="Get"/>.
    /// </summary>
    public IDisposable Subscribe(string? clusterId, Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        void OnUpdated(ClusterKafkaState state)
        {
            if (clusterId is null || state.ClusterId == clusterId) changed();
        }
        void OnRemoved(string id)
        {
            if (clusterId is null || id == clusterId) changed();
        }
        Updated += OnUpdated;
        Removed += OnRemoved;
        return new Live.Subscription(() =>
        {
            Updated -= OnUpdated;
            Removed -= OnRemoved;
        });
    }

    public ClusterKafkaState? Get(string clusterId) => _states.TryGetValue(clusterId, out var s) ? s : null;

    public IReadOnlyCollection<string> ClusterIds => _states.Keys.Order(StringComparer.Ordinal).ToList();

    public bool Has(string clusterId) => _states.ContainsKey(clusterId);

    /// <summary>A new snapshot with the events since the previous one; <paramref name="controllerTerms"/> are the watcher's.</summary>
    public ClusterKafkaState? Record(string clusterId, KafkaClusterUpdate update, IReadOnlyList<ControllerChange> controllerTerms)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Replace(clusterId, previous =>
        {
            var events = previous?.Events ?? [];
            foreach (var e in update.Events.TakeLast(eventLimit)) events = events.Enqueue(new SeenKafkaEvent(update.Snapshot.ReadAt, e));
            return new ClusterKafkaState(clusterId, update.Snapshot, KafkaClusterAnalysis.Analyze(update.Snapshot, previous?.Snapshot, previous?.Analysis),
                Merge(previous?.ControllerHistory ?? [], controllerTerms), Bound(events, eventLimit), null);
        });
    }

    /// <summary>A controller term seen by the watch between two snapshots: the history shows it at once.</summary>
    public void RecordControllerTerms(string clusterId, IReadOnlyList<ControllerChange> controllerTerms) =>
        Replace(clusterId, previous => previous is null ? null : previous with { ControllerHistory = Merge(previous.ControllerHistory, controllerTerms) });

    /// <summary>Reading failed (session lost, server down): the last snapshot stays, marked with why it may be stale.</summary>
    public void RecordProblem(string clusterId, string? problem) =>
        Replace(clusterId, previous => previous is null || previous.Problem == problem ? null : previous with { Problem = problem });

    public void Remove(string clusterId)
    {
        if (_states.TryRemove(clusterId, out _)) Removed?.Invoke(clusterId);
    }

    private ClusterKafkaState? Replace(string clusterId, Func<ClusterKafkaState?, ClusterKafkaState?> change)
    {
        ClusterKafkaState? state;
        lock (_gates.GetOrAdd(clusterId, _ => new object()))
        {
            state = change(Get(clusterId));
            if (state is null) return null;
            _states[clusterId] = state;
        }
        Updated?.Invoke(state);
        return state;
    }

    /// <summary>
    /// Terms are keyed by the <c>/controller</c> czxid: a new watcher reports the current term again (without the
    /// gap it could not see), so the newer report replaces an open term but never erases what the older one knew.
    /// </summary>
    private IReadOnlyList<ControllerChange> Merge(IReadOnlyList<ControllerChange> known, IReadOnlyList<ControllerChange> reported)
    {
        if (reported.Count == 0) return known;
        var byCzxid = known.ToDictionary(c => c.Czxid);
        foreach (var term in reported)
            byCzxid[term.Czxid] = byCzxid.TryGetValue(term.Czxid, out var old)
                ? term with { GapBefore = term.GapBefore ?? old.GapBefore, Ended = term.Ended ?? old.Ended, MissedElectionsBefore = Math.Max(term.MissedElectionsBefore, old.MissedElectionsBefore) }
                : term;
        var merged = byCzxid.Values.OrderBy(c => c.Started).ThenBy(c => c.Czxid).ToList();
        // Only the newest term can be open: an older one still open ended when the next one started.
        for (var i = 0; i < merged.Count - 1; i++)
            if (merged[i].Ended is null) merged[i] = merged[i] with { Ended = merged[i + 1].Started };
        return merged.Count > controllerHistoryLimit ? merged[^controllerHistoryLimit..] : merged;
    }

    private static ImmutableQueue<T> Bound<T>(ImmutableQueue<T> queue, int limit)
    {
        var count = queue.Count();
        for (; count > limit; count--) queue = queue.Dequeue();
        return queue;
    }
}
