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
    int MissedElectionsBefore);

/// <summary>
/// Kafka keeps no controller history, so we record it: fed by every read of <c>/controller</c> (watch events and
/// the periodic full read), bounded to the newest <c>capacity</c> terms. Thread-safe.
/// </summary>
public sealed class ControllerHistory(int capacity = 200)
{
    private readonly LinkedList<ControllerChange> _changes = new();
    private readonly Lock _lock = new();
    private DateTimeOffset? _lastEnd;
    private DateTimeOffset? _lastSeenAlive;

    public event Action<ControllerChange>? Changed;

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

    /// <summary>Records what <c>/controller</c> held at <paramref name="observedAt"/> (null: no controller).</summary>
    public void Observe(KafkaController? controller, DateTimeOffset observedAt)
    {
        ControllerChange? added = null;
        lock (_lock)
        {
            var open = _changes.Last?.Value is { Ended: null } o ? o : null;
            // Same term again (or a stale read from a lagging server after its end was seen): nothing new.
            if (controller is not null && _changes.Last?.Value.Czxid == controller.Czxid)
            {
                if (open is not null) _lastSeenAlive = Max(_lastSeenAlive ?? observedAt, observedAt);
                return;
            }
            if (open is not null)
            {
                // Deletion not seen (a new controller came first): it ended at the latest when the next one started,
                // and at the earliest after the last read that still showed it; the gap is bounded by that read.
                var ended = controller is null ? observedAt : Min(observedAt, controller.Created);
                _changes.Last!.Value = open with { Ended = ended };
                _lastEnd = controller is null ? ended : Min(_lastSeenAlive ?? open.Started, controller.Created);
                if (controller is null) return;
            }
            if (controller is null) return;
            var previousEpoch = _changes.Last?.Value.Epoch;
            var missed = previousEpoch is { } p && controller.Epoch is { } e && e > p + 1 ? e - p - 1 : 0;
            TimeSpan? gap = _lastEnd is { } end ? Max(TimeSpan.Zero, controller.Created - end) : null;
            added = new ControllerChange(controller.BrokerId, controller.Epoch, controller.Czxid, controller.Created, null, gap, missed);
            _changes.AddLast(added);
            _lastEnd = null;
            _lastSeenAlive = observedAt;
            while (_changes.Count > capacity) _changes.RemoveFirst();
        }
        Changed?.Invoke(added);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
