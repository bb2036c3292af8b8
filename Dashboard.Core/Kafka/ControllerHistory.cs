namespace Dashboard.Core.Kafka;

/// <summary>
/// One controller's term. <see cref="Started"/> is the <c>/controller</c> znode's ctime (server clock);
/// <see cref="Ended"/> is when we saw it go (null while current). <see cref="GapBefore"/> is the time without any
/// controller before this one: exact when the previous one's deletion was seen, otherwise an upper bound (from the
/// last read that still showed the previous controller); null only for the first term seen. <see cref="MissedElectionsBefore"/> counts epochs
/// that came and went between two observations (watches are one-shot, so a very short term can slip through).
/// </summary>
public sealed record ControllerChange(
    int BrokerId,
    int? Epoch,
    long Czxid,
    DateTimeOffset Started,
    DateTimeOffset? Ended,
    TimeSpan? GapBefore,
    int MissedElectionsBefore)
{
    /// <summary>A KRaft controller's term (ZooKeeper -> KRaft migration): <c>/controller</c> v2 with kraftControllerEpoch &gt;= 0.</summary>
    public bool Kraft { get; init; }
}

/// <summary>
/// Kafka keeps no controller history, so we record it: fed by every read of <c>/controller</c> (watch events and
/// the periodic full read), bounded to the newest <c>capacity</c> terms. Thread-safe.
/// Reads finish out of order (a full read of a big cluster takes seconds, the controller watch milliseconds), so
/// terms are ordered by the <c>/controller</c> czxid, never by when a read finished: an older czxid is a stale read,
/// and "no controller" from a read that started before the current term was first seen says nothing about it (a
/// real deletion fires the controller watch, which reads again).
/// </summary>
public sealed class ControllerHistory(int capacity = 200)
{
    private readonly LinkedList<ControllerChange> _changes = new();
    private readonly Lock _lock = new();
    private DateTimeOffset? _lastEnd;
    private DateTimeOffset? _lastSeenAlive;
    private DateTimeOffset _openFirstSeen;

    /// <summary>A new term was recorded.</summary>
    public event Action<ControllerChange>? Changed;

    /// <summary>The current term ended and no controller followed yet (its deletion was seen).</summary>
    public event Action<ControllerChange>? Ended;

    public ControllerChange? Current
    {
        get
        {
            lock (_lock) return _changes.Last?.Value is { Ended: null } current ? current : null;
        }
    }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<ControllerChange> Changes
    {
        get
        {
            lock (_lock) return _changes.ToList();
        }
    }

    /// <summary>
    /// Records what <c>/controller</c> held (null: no controller), seen by a read that started at
    /// <paramref name="readStartedAt"/> (default: <paramref name="observedAt"/>) and finished at <paramref name="observedAt"/>.
    /// </summary>
    public void Observe(KafkaController? controller, DateTimeOffset observedAt, DateTimeOffset? readStartedAt = null)
    {
        var started = readStartedAt ?? observedAt;
        ControllerChange? added = null, ended = null;
        lock (_lock)
        {
            var last = _changes.Last?.Value;
            var open = last is { Ended: null } o ? o : null;
            // Same term again (or a stale read from a lagging server after its end was seen): nothing new.
            if (controller is not null && last?.Czxid == controller.Czxid)
            {
                if (open is not null) _lastSeenAlive = Max(_lastSeenAlive ?? observedAt, observedAt);
                return;
            }
            // An older term than the newest known: a read that started before the newest term appeared.
            if (controller is not null && last is not null && controller.Czxid < last.Czxid) return;
            if (controller is null && open is not null && started < _openFirstSeen) return;
            if (open is not null)
            {
                if (controller is null)
                {
                    _changes.Last!.Value = ended = open with { Ended = observedAt };
                    _lastEnd = observedAt;
                }
                else
                {
                    // Deletion not seen (a new controller came first): it ended at the latest when the next one started.
                    _changes.Last!.Value = open with { Ended = Min(observedAt, controller.Created) };
                    // A persistent /controller is a KRaft controller's, which Kafka deletes and re-creates in one
                    // transaction: no moment without a controller. Otherwise the gap is bounded by the last read that
                    // still showed the old one.
                    _lastEnd = controller.Persistent ? controller.Created : Min(_lastSeenAlive ?? open.Started, controller.Created);
                }
            }
            if (controller is not null)
            {
                var previousEpoch = _changes.Last?.Value.Epoch;
                var missed = previousEpoch is { } p && controller.Epoch is { } e && e > p + 1 ? e - p - 1 : 0;
                TimeSpan? gap = _lastEnd is { } end ? Max(TimeSpan.Zero, controller.Created - end) : null;
                added = new ControllerChange(controller.BrokerId, controller.Epoch, controller.Czxid, controller.Created, null, gap, missed)
                {
                    Kraft = controller.IsKraft,
                };
                _changes.AddLast(added);
                _lastEnd = null;
                _lastSeenAlive = observedAt;
                _openFirstSeen = observedAt;
                while (_changes.Count > capacity) _changes.RemoveFirst();
            }
        }
        if (ended is not null) Ended?.Invoke(ended);
        if (added is not null) Changed?.Invoke(added);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
