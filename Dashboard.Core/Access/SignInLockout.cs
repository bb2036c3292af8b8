namespace Dashboard.Core.Access;

/// <summary>
/// Counts failed sign-ins per user name and locks the name out for a while after too many in a row. Names that
/// do not exist are counted the same way, so a lockout message never tells whether a name is real. Bounded: past
/// <see cref="MaxTrackedNames"/> the stalest entries are forgotten, so a flood of made-up names cannot grow memory.
/// </summary>
public sealed class SignInLockout(int maxFailures, TimeSpan duration, TimeProvider time)
{
    public const int MaxTrackedNames = 10_000;
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

    /// <summary>Counts a failure; returns the end of the lockout when this failure starts one.</summary>
    public DateTimeOffset? RecordFailure(string name)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var key = Key(name);
            _entries.TryGetValue(key, out var entry);
            // A lockout that has run out starts a fresh count.
            if (entry.LockedUntil is { } ended && ended <= now) entry = default;
            entry = entry with { Failures = entry.Failures + 1, LastFailure = now };
            if (entry.Failures >= maxFailures) entry = entry with { LockedUntil = now + duration, Failures = 0 };
            _entries[key] = entry;
            if (_entries.Count > MaxTrackedNames) ForgetStalest();
            return entry.LockedUntil > now ? entry.LockedUntil : null;
        }
    }

    public void RecordSuccess(string name)
    {
        lock (_gate) _entries.Remove(Key(name));
    }

    private void ForgetStalest()
    {
        foreach (var key in _entries.OrderBy(e => e.Value.LastFailure).Take(_entries.Count / 10 + 1).Select(e => e.Key).ToList())
            _entries.Remove(key);
    }

    private static string Key(string name) => name.Trim();

    private record struct Entry(int Failures, DateTimeOffset LastFailure, DateTimeOffset? LockedUntil);
}
