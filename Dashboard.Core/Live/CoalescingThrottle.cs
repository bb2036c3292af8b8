namespace Dashboard.Core.Live;

/// <summary>
/// Turns a burst of change signals into at most one callback per <c>minimumGap</c>: while a callback is pending,
/// further signals are absorbed, and the callback reads the newest state when it runs, so nothing is lost by
/// dropping the signals in between. One throttle per subscriber: a slow screen never delays another.
/// </summary>
public sealed class CoalescingThrottle : IDisposable
{
    private readonly Func<Task> _callback;
    private readonly TimeSpan _minimumGap;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private bool _pending;
    private bool _running;
    private bool _disposed;
    private long _lastRunTicks = long.MinValue;

    public CoalescingThrottle(Func<Task> callback, TimeSpan minimumGap, TimeProvider? time = null)
    {
        _callback = callback ?? throw new ArgumentNullException(nameof(callback));
        _minimumGap = minimumGap;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Something changed: run the callback soon, unless one is already waiting to run.</summary>
    public void Signal()
    {
        TimeSpan wait;
        lock (_gate)
        {
            if (_disposed || _pending) return;
            _pending = true;
            // A callback still running schedules the next one itself when it ends.
            if (_running) return;
            wait = WaitBeforeNextRun();
        }
        _ = RunAfterAsync(wait);
    }

    private TimeSpan WaitBeforeNextRun()
    {
        if (_lastRunTicks == long.MinValue) return TimeSpan.Zero;
        var since = _time.GetElapsedTime(_lastRunTicks);
        return since >= _minimumGap ? TimeSpan.Zero : _minimumGap - since;
    }

    private async Task RunAfterAsync(TimeSpan wait)
    {
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _time).ConfigureAwait(false);
        lock (_gate)
        {
            if (_disposed) return;
            _pending = false;
            _running = true;
            _lastRunTicks = _time.GetTimestamp();
        }
        try
        {
            await _callback().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed screen update must not end the throttle: the next change tries again.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
        finally
        {
            TimeSpan? next = null;
            lock (_gate)
            {
                _running = false;
                if (_pending && !_disposed) next = WaitBeforeNextRun();
            }
            if (next is { } w) _ = RunAfterAsync(w);
        }
    }

    public void Dispose()
    {
        lock (_gate) _disposed = true;
    }
}
