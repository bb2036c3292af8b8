namespace Dashboard.Core.Access;

/// <summary>
/// Counts failed sign-ins per user name and locks the name out for a while after too many in a row. Names that
/// do not exist are counted the same way, so a lockout message never tells whether a name is real. An attempt is
/// reserved before its password is checked (<see cref="Begin"/>), so attempts sent at the same moment cannot
/// together exceed the limit. Bounded: past <see cref="MaxTrackedNames"/> the stalest names that are not locked
/// are forgotten, so a flood of made-up names cannot grow memory and cannot evict a lockout either.
/// </summary>
public sealed class SignInLockout(int maxFailures, TimeSpan duration, TimeProvider time)
{
    public const int MaxTrackedNames = 10_000;

    /// <summary>Locked names are kept even past <see cref="MaxTrackedNames"/>, up to this many (then the soonest to end go).</summary>
    public const int MaxLockedNames = 100_000;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    /// <summary>When the name is locked out, until when.</summary>
    public DateTimeOffset? LockedUntil(string name)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(Key(name), out var entry) && entry.LockedUntil is { } until && until > time.GetUtcNow() ? until : null;
        }
    }

    /// <summary>
    /// Reserves one attempt for the name: null when it may go on (then <see cref="RecordFailure"/> or
    /// <see cref="RecordSuccess"/> must follow), else until when it is refused (locked, or the attempts already
    /// under way would reach the limit).
    /// </summary>
    public DateTimeOffset? Begin(string name)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var key = Key(name);
            _entries.TryGetValue(key, out var entry);
            if (entry.LockedUntil is { } until && until > now) return until;
            if (entry.LockedUntil is not null) entry = default; // a lockout that has run out starts a fresh count
            if (entry.Failures + entry.InFlight >= maxFailures) return now + duration;
            _entries[key] = entry with { InFlight = entry.InFlight + 1, LastFailure = entry.LastFailure == default ? now : entry.LastFailure };
            Bound(now);
            return null;
        }
    }

    /// <summary>Counts a failure (ending an attempt from <see cref="Begin"/>, if any); returns the end of the lockout when this failure starts one.</summary>
    public DateTimeOffset? RecordFailure(string name)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var key = Key(name);
            _entries.TryGetValue(key, out var entry);
            if (entry.LockedUntil is { } ended && ended <= now) entry = default;
            entry = entry with { Failures = entry.Failures + 1, LastFailure = now, InFlight = Math.Max(0, entry.InFlight - 1) };
            if (entry.Failures >= maxFailures) entry = entry with { LockedUntil = now + duration, Failures = 0 };
            _entries[key] = entry;
            Bound(now);
            return entry.LockedUntil > now ? entry.LockedUntil : null;
        }
    }

    public void RecordSuccess(string name)
    {
        lock (_gate) _entries.Remove(Key(name));
    }

    public int TrackedNames
    {
        get { lock (_gate) return _entries.Count; }
    }

    private void Bound(DateTimeOffset now)
    {
        if (_entries.Count <= MaxTrackedNames) return;
        // Never a locked name, nor one with an attempt under way: only stale counts are forgotten.
        var forgettable = _entries.Where(e => e.Value.InFlight == 0 && !(e.Value.LockedUntil > now)).OrderBy(e => e.Value.LastFailure)
            .Take(_entries.Count - MaxTrackedNames + MaxTrackedNames / 10).Select(e => e.Key).ToList();
        foreach (var key in forgettable) _entries.Remove(key);
        if (_entries.Count <= MaxLockedNames) return;
        foreach (var key in _entries.OrderBy(e => e.Value.LockedUntil ?? DateTimeOffset.MinValue).Take(_entries.Count - MaxLockedNames).Select(e => e.Key).ToList())
            _entries.Remove(key);
    }

    private static string Key(string name) => name.Trim();

    private record struct Entry(int Failures, DateTimeOffset LastFailure, DateTimeOffset? LockedUntil, int InFlight);
}
