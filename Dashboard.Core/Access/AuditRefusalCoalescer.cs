namespace Dashboard.Core.Access;

/// <summary>
/// Keeps anonymous refusals from growing the audit log without bound: the first refusal of a kind (same address,
/// action, target and reason) in an interval is written at once, the identical ones after it are counted and
/// written as one row when the interval ends ("and 41,999 more ..."). Everything attributable (sign-ins, changes,
/// refusals of a signed-in user) passes straight through. Bounded: past <see cref="MaxKinds"/> kinds in one
/// interval, further refusals are counted per action only ("from many addresses").
/// </summary>
public sealed class AuditRefusalCoalescer : IAuditLog, IDisposable
{
    public const int MaxKinds = 10_000;
    public const string Anonymous = "anonymous";

    private readonly IAuditLog _inner;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Dictionary<Kind, Window> _windows = [];
    private readonly Lock _gate = new();
    private readonly ITimer _timer;

    public AuditRefusalCoalescer(IAuditLog inner, TimeProvider time, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(time);
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), "The interval must be positive.");
        (_inner, _time, _interval) = (inner, time, interval);
        _timer = time.CreateTimer(_ => Flush(all: false), null, interval, interval);
    }

    public void Record(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Outcome != AuditOutcome.Denied || !string.Equals(entry.User, Anonymous, StringComparison.Ordinal))
        {
            _inner.Record(entry);
            return;
        }
        AuditEntry? first = null;
        lock (_gate)
        {
            var kind = new Kind(entry.Address, entry.Action, entry.Target, entry.Detail);
            if (!_windows.ContainsKey(kind) && _windows.Count >= MaxKinds) kind = new Kind(null, entry.Action, null, null);
            if (_windows.TryGetValue(kind, out var window)) window.More++;
            else
            {
                _windows[kind] = new Window(entry.At, kind.Address is null && entry.Address is not null ? entry with { Address = null, Target = null, Detail = "refusals from many addresses" } : entry);
                first = _windows[kind].First;
            }
        }
        if (first is not null) _inner.Record(first);
    }

    /// <summary>Writes the count of every interval that has ended (or of all, at shutdown).</summary>
    public void Flush(bool all)
    {
        var now = _time.GetUtcNow();
        List<AuditEntry> summaries = [];
        lock (_gate)
        {
            foreach (var (kind, window) in _windows.Where(w => all || w.Value.Start + _interval <= now).ToList())
            {
                _windows.Remove(kind);
                if (window.More == 0) continue;
                var first = window.First;
                summaries.Add(first with
                {
                    At = now,
                    Detail = $"{first.Detail} (and {window.More} more identical refusal(s) from {(kind.Address is null ? "many addresses" : "this address")} between {window.Start:u} and {now:u})",
                });
            }
        }
        foreach (var summary in summaries) _inner.Record(summary);
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush(all: true);
    }

    private readonly record struct Kind(string? Address, string Action, string? Target, string? Detail);

    private sealed class Window(DateTimeOffset start, AuditEntry first)
    {
        public DateTimeOffset Start { get; } = start;
        public AuditEntry First { get; } = first;
        public int More { get; set; }
    }
}
