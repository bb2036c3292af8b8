using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;
using Dashboard.Core.ZooKeeper.Security;
using Dashboard.Core.ZooKeeper.Wire;

namespace Dashboard.Core.ZooKeeper.Session;

/// <summary>
/// One ZooKeeper session over a succession of TCP connections: connect -> handshake -> a send loop (which also
/// pings) and a receive loop -> on failure every sent request fails with connection loss -> the next host, with
/// capped backoff, resuming the same session and re-arming its auth and watches.
/// </summary>
internal sealed partial class SessionConnection : IAsyncDisposable
{
    private const int FlushThreshold = 256 * 1024;
    private static readonly TimeSpan DeadlineScan = TimeSpan.FromMilliseconds(100);

    private readonly ZooKeeperClientOptions _options;
    private readonly IReadOnlyList<ZooKeeperHost> _hosts;
    private readonly ConcurrentQueue<Request> _unsent = new();
    private readonly ConcurrentQueue<Request> _sent = new();
    private readonly ConcurrentQueue<AuthRequest> _sentAuth = new();
    private readonly SemaphoreSlim _sendSignal = new(0);
    private readonly SemaphoreSlim _inFlight;
    private readonly Channel<Action> _callbacks = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stateLock = new();
    private readonly List<AuthRequest> _acceptedAuth = [];
    private readonly Timer _deadlineTimer;
    private readonly long _requestTimeoutTicks;
    private Task _loop = Task.CompletedTask;
    private Task _dispatcher = Task.CompletedTask;
    private int _signalled;
    private int _xid;
    private long _lastZxid;
    private long _lastReceived;
    private long _disconnectedAt;
    private byte[] _password = new byte[16];
    private SessionState _state = SessionState.Connecting;
    private volatile bool _closeRequested;
    // Set before closeSession is sent: the server then hangs up, and that must not start a reconnect.
    private volatile bool _sessionClosing;

    public SessionConnection(ConnectString connectString, ZooKeeperClientOptions options)
    {
        _options = options;
        Chroot = connectString.Chroot;
        var hosts = connectString.Hosts.ToList();
        if (options.ShuffleHosts)
        {
            var start = Random.Shared.Next(hosts.Count);
            hosts = [.. hosts.Skip(start), .. hosts.Take(start)];
        }
        _hosts = hosts;
        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        _requestTimeoutTicks = (long)(options.RequestTimeout.TotalSeconds * Stopwatch.Frequency);
        _deadlineTimer = new Timer(static s => ((SessionConnection)s!).OnDeadlineScan(), this, Timeout.Infinite, Timeout.Infinite);
    }

    public string? Chroot { get; }

    public WatchRegistry Watches { get; } = new();

    public long SessionId { get; private set; }

    public TimeSpan NegotiatedTimeout { get; private set; }

    public SessionState State
    {
        get { lock (_stateLock) return _state; }
    }

    /// <summary>The server of the current connection (<c>host:port</c>), or null while disconnected.</summary>
    public string? ConnectedServer { get; private set; }

    /// <summary>Why the last connection ended or the last attempt failed; for diagnostics and tests.</summary>
    public Exception? LastConnectionError { get; private set; }

    /// <summary>How many connections ended because the server broke the protocol.</summary>
    public int ProtocolErrors => _protocolErrors;
    private int _protocolErrors;

    public int Connections => _connections;
    private int _connections;

    /// <summary>Sees a copy of every reply frame; tests use it to capture real frames for fuzzing.</summary>
    internal Action<byte[]>? FrameTap { get; set; }

    public event EventHandler<SessionStateChange>? StateChanged;

    /// <summary>Raised when a watcher or state handler throws: the dispatcher carries on with the next event.</summary>
    public event EventHandler<Exception>? CallbackFailed;

    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _dispatcher = Task.Run(DispatchAsync, CancellationToken.None);
        _loop = Task.Run(RunAsync, CancellationToken.None);
        _deadlineTimer.Change(DeadlineScan, DeadlineScan);
        try
        {
            await _firstConnection.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var reason = LastConnectionError?.Message ?? "no answer";
            throw new ConnectionLossException(null, $"could not open a session with any of {string.Join(',', _hosts)} within {timeout.TotalSeconds:0.#} s ({reason})", LastConnectionError);
        }
    }

    public Task<T> SubmitAsync<T>(Request<T> request, CancellationToken cancellationToken)
    {
        var refusal = Refusal(request.ClientPath);
        if (refusal is not null) return Task.FromException<T>(refusal);
        return _inFlight.Wait(0) ? Enqueue(request, cancellationToken) : SubmitWhenSlotFreeAsync(request, cancellationToken);
    }

    private async Task<T> SubmitWhenSlotFreeAsync<T>(Request<T> request, CancellationToken cancellationToken)
    {
        if (!await _inFlight.WaitAsync(_options.RequestTimeout, cancellationToken).ConfigureAwait(false))
            throw new RequestTimeoutException(request.ClientPath, $"all {_options.MaxInFlight} in-flight slots stayed busy for {_options.RequestTimeout.TotalSeconds:0.#} s");
        return await Enqueue(request, cancellationToken).ConfigureAwait(false);
    }

    private Task<T> Enqueue<T>(Request<T> request, CancellationToken cancellationToken)
    {
        request.HoldsSlot = 1;
        request.Deadline = Stopwatch.GetTimestamp() + _requestTimeoutTicks;
        request.Observe(cancellationToken);
        _unsent.Enqueue(request);
        // A session that ended while this request was being queued would never send it: fail it now.
        if (Refusal(null) is { } refusal) FailQueue(_unsent, refusal);
        Signal();
        return request.Task;
    }

    private Exception? Refusal(string? path) => State switch
    {
        SessionState.Expired => new SessionExpiredException(path),
        SessionState.AuthFailed => (Exception?)(LastConnectionError as SaslAuthenticationException) ?? new AuthFailedException(path),
        SessionState.Closed => new ObjectDisposedException(nameof(ZooKeeperClient), "The ZooKeeper client is closed."),
        _ => _closeRequested ? new ObjectDisposedException(nameof(ZooKeeperClient), "The ZooKeeper client is closing.") : null,
    };

    private void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0) _sendSignal.Release();
    }

    private void ReleaseSlot(Request request)
    {
        if (Interlocked.Exchange(ref request.HoldsSlot, 0) == 1) _inFlight.Release();
    }

    private void SetState(SessionState next)
    {
        SessionState previous;
        lock (_stateLock)
        {
            if (_state == next || _state is SessionState.Expired or SessionState.Closed or SessionState.AuthFailed) return;
            previous = _state;
            _state = next;
            if (next == SessionState.Suspended) _disconnectedAt = Stopwatch.GetTimestamp();
        }
        var change = new SessionStateChange(previous, next, ConnectedServer);
        Post(() => StateChanged?.Invoke(this, change));
    }

    /// <summary>Callbacks run one at a time, in order, off the receive loop, so a slow handler cannot stall the wire.</summary>
    internal void Post(Action callback) => _callbacks.Writer.TryWrite(callback);

    private async Task DispatchAsync()
    {
        await foreach (var callback in _callbacks.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                callback();
            }
#pragma warning disable CA1031 // A caller's handler must not kill the dispatcher; the failure is reported instead.
            catch (Exception e)
#pragma warning restore CA1031
            {
                try { CallbackFailed?.Invoke(this, e); }
#pragma warning disable CA1031 // Same reason: a throwing error handler cannot be reported anywhere else.
                catch (Exception) { }
#pragma warning restore CA1031
            }
        }
    }

    private void OnDeadlineScan()
    {
        var now = Stopwatch.GetTimestamp();
        ExpireOverdue(_unsent, now);
        ExpireOverdue(_sent, now);
        ExpireOverdue(_sentAuth, now);
        bool lost;
        lock (_stateLock)
            lost = _state == SessionState.Suspended && NegotiatedTimeout > TimeSpan.Zero && Stopwatch.GetElapsedTime(_disconnectedAt, now) > NegotiatedTimeout;
        if (lost) SetState(SessionState.Lost);
    }

    private void ExpireOverdue<T>(ConcurrentQueue<T> queue, long now) where T : Request
    {
        if (queue.IsEmpty) return;
        foreach (var request in queue)
        {
            if (request.Deadline < now && !request.IsCompleted)
                request.Fail(new RequestTimeoutException(request.ClientPath, $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s"));
        }
    }

    private void FailQueue<T>(ConcurrentQueue<T> queue, Exception error) where T : Request
    {
        while (queue.TryDequeue(out var request))
        {
            request.Fail(error);
            ReleaseSlot(request);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_closeRequested) return;
        if (State == SessionState.Connected)
        {
            // An orderly close tells the server to drop the session now (and its ephemerals), not after the timeout.
            try
            {
                _sessionClosing = true;
                var close = new CloseSessionRequest();
                await SubmitAsync(close, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (ZooKeeperException) { }
            catch (TimeoutException) { }
        }
        _closeRequested = true;
        await _closing.CancelAsync().ConfigureAwait(false);
        try { await _loop.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await _deadlineTimer.DisposeAsync().ConfigureAwait(false);
        var closed = new ObjectDisposedException(nameof(ZooKeeperClient), "The ZooKeeper client is closed.");
        FailQueue(_unsent, closed);
        SetState(SessionState.Closed);
        _callbacks.Writer.TryComplete();
        await _dispatcher.ConfigureAwait(false);
        _closing.Dispose();
        _sendSignal.Dispose();
        _inFlight.Dispose();
    }
}
