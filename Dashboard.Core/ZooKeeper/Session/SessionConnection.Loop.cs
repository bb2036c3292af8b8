using System.Diagnostics;
using System.Net.Sockets;
using Dashboard.Core.ZooKeeper.Security;
using Dashboard.Core.ZooKeeper.Wire;

namespace Dashboard.Core.ZooKeeper.Session;

internal sealed partial class SessionConnection
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private const int SetWatchesBatchBytes = 128 * 1024;

    private async Task RunAsync()
    {
        var cancellation = _closing.Token;
        var next = 0;
        var failedInRow = 0;
        var round = 0;
        var refusedInRow = 0;
        while (!cancellation.IsCancellationRequested && !_closeRequested && !_sessionClosing)
        {
            var host = _hosts[next++ % _hosts.Count];
            Exception? ended = null;
            try
            {
                await ConnectAndServeAsync(host, cancellation).ConfigureAwait(false);
            }
            catch (SessionExpiredException e)
            {
                EndSession(SessionState.Expired, e);
                return;
            }
            catch (SaslAuthenticationException e)
            {
                // Wrong credentials stay wrong: end here with the reason instead of reconnecting in a loop.
                EndSession(SessionState.AuthFailed, e);
                return;
            }
            catch (Exception e) when (e is SocketException or IOException or ZooKeeperException or ZooKeeperProtocolException or TimeoutException or OperationCanceledException or ObjectDisposedException or ZooKeeperTlsException)
            {
                ended = e;
                // Every server refusing our certificate checks before a session exists is a setting to fix, not a
                // network blip: the caller hears it now, naming the cause, instead of after the connect timeout.
                refusedInRow = e is ZooKeeperTlsException ? refusedInRow + 1 : 0;
                if (refusedInRow >= _hosts.Count && !_firstConnection.Task.IsCompleted)
                {
                    LastConnectionError = e;
                    _firstConnection.TrySetException(e);
                }
                if (e is ZooKeeperProtocolException { EndOfStream: false }) Interlocked.Increment(ref _protocolErrors);
            }

            if (_closeRequested || _sessionClosing || cancellation.IsCancellationRequested) break;
            LastConnectionError = ended;
            var wasConnected = ConnectedServer is not null;
            ConnectedServer = null;
            FailSent(ended);
            if (State is SessionState.Connected) SetState(SessionState.Suspended);

            if (wasConnected) { failedInRow = 0; round = 0; continue; }
            // Try every host once without pausing; between whole rounds back off exponentially, capped, with jitter.
            if (++failedInRow % _hosts.Count != 0) continue;
            var pause = TimeSpan.FromTicks(Math.Min(_options.MaxReconnectBackoff.Ticks, FirstBackoff.Ticks << Math.Min(round++, 10)));
            pause *= 0.5 + Random.Shared.NextDouble() / 2;
            try { await Task.Delay(pause, cancellation).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
    }

    private void FailSent(Exception? reason)
    {
        var detail = reason is null ? "the connection closed" : $"the connection to the server failed ({reason.Message})";
        while (_sent.TryDequeue(out var request))
        {
            request.Fail(new ConnectionLossException(request.ClientPath, detail, reason));
            ReleaseSlot(request);
        }
        while (_sentAuth.TryDequeue(out var auth)) auth.Fail(new ConnectionLossException(null, detail, reason));
    }

    private void EndSession(SessionState state, Exception error)
    {
        LastConnectionError = error;
        ConnectedServer = null;
        SetState(state);
        Watches.Clear();
        FailSent(error);
        FailQueue(_unsent, state == SessionState.AuthFailed ? error : new SessionExpiredException(null));
        _firstConnection.TrySetException(error);
    }

    private async Task ConnectAndServeAsync(ZooKeeperHost host, CancellationToken cancellation)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        await using var stream = await OpenStreamAsync(socket, host, cancellation).ConfigureAwait(false);
        using var reader = new FrameReader(stream, _options.MaxFrameSize);
        using var writer = new JuteWriter();

        await HandshakeAsync(stream, reader, writer, host, cancellation).ConfigureAwait(false);
        Interlocked.Increment(ref _connections);
        ConnectedServer = host.ToString();
        Volatile.Write(ref _lastReceived, Stopwatch.GetTimestamp());
        SetState(SessionState.Connected);
        _firstConnection.TrySetResult();

        var sending = SendLoopAsync(stream, writer, connection.Token);
        var receiving = ReceiveLoopAsync(reader, connection.Token);
        var first = await Task.WhenAny(sending, receiving).ConfigureAwait(false);
        await connection.CancelAsync().ConfigureAwait(false);
        // Closing the socket unblocks whichever loop is still waiting on it.
        socket.Close();
        try { await Task.WhenAll(sending, receiving).ConfigureAwait(false); }
        catch (Exception) when (first.IsFaulted || first.IsCanceled) { }
        await first.ConfigureAwait(false);
    }

    /// <summary>TCP connect, then the TLS handshake when the cluster uses TLS; both within the connect timeout.</summary>
    private async Task<Stream> OpenStreamAsync(Socket socket, ZooKeeperHost host, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(host.Host, host.Port, timeout.Token).ConfigureAwait(false);
            var plain = new NetworkStream(socket, ownsSocket: false);
            if (_options.Tls is not { } tls) return plain;
            return await tls.AuthenticateAsync(plain, host.Host, host.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"{host} did not accept a {(_options.Tls is null ? "connection" : "TLS connection")} within {_options.ConnectTimeout.TotalSeconds:0.#} s.");
        }
    }

    private async Task HandshakeAsync(Stream stream, FrameReader reader, JuteWriter writer, ZooKeeperHost host, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            Records.WriteConnectRequest(writer, Interlocked.Read(ref _lastZxid), (int)_options.SessionTimeout.TotalMilliseconds, SessionId, _password);
            await stream.WriteAsync(writer.Written, timeout.Token).ConfigureAwait(false);
            writer.Reset();
            var frame = await reader.ReadFrameAsync(20, timeout.Token).ConfigureAwait(false);
            var answer = Records.ReadConnectResponse(frame.Span);
            if (answer.TimeoutMs <= 0)
                throw new SessionExpiredException(null, $"{host} says session 0x{SessionId:x} no longer exists");
            if (SessionId != 0 && answer.SessionId != SessionId)
                throw new ZooKeeperProtocolException($"{host} resumed session 0x{answer.SessionId:x} when asked for 0x{SessionId:x}.");
            SessionId = answer.SessionId;
            _password = answer.Password;
            NegotiatedTimeout = TimeSpan.FromMilliseconds(answer.TimeoutMs);
            if (_options.Sasl is { } sasl) await AuthenticateSaslAsync(stream, reader, writer, host, sasl, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"{host} did not complete the handshake within {_options.ConnectTimeout.TotalSeconds:0.#} s.");
        }
        RearmSession(writer);
        if (writer.Length > 0)
        {
            await stream.WriteAsync(writer.Written, cancellation).ConfigureAwait(false);
            writer.Reset();
        }
    }

    /// <summary>Re-sends accepted credentials and the watch set, before any queued request, on a new connection.</summary>
    private void RearmSession(JuteWriter writer)
    {
        lock (_acceptedAuth)
        {
            foreach (var accepted in _acceptedAuth)
            {
                var replay = new AuthRequest(accepted.Scheme, accepted.Credentials) { IsReplay = true, Deadline = long.MaxValue, Xid = Xids.Auth };
                writer.BeginFrame();
                Records.WriteRequestHeader(writer, Xids.Auth, OpCode.Auth);
                replay.WriteBody(writer);
                writer.EndFrame();
                _sentAuth.Enqueue(replay);
            }
        }

        var (data, exist, child) = Watches.Paths();
        if (data.Length + exist.Length + child.Length == 0) return;
        // Split so no SetWatches frame exceeds what the server accepts, as the Java client does.
        var relativeZxid = Interlocked.Read(ref _lastZxid);
        var batch = (Data: new List<string>(), Exist: new List<string>(), Child: new List<string>());
        var bytes = 0;
        foreach (var (list, paths) in new[] { (batch.Data, data), (batch.Exist, exist), (batch.Child, child) })
        {
            foreach (var path in paths)
            {
                if (bytes + path.Length * 3 + 4 > SetWatchesBatchBytes) Flush();
                list.Add(path);
                bytes += path.Length * 3 + 4;
            }
        }
        Flush();

        void Flush()
        {
            if (bytes == 0) return;
            Records.WriteSetWatches(writer, relativeZxid, batch.Data, batch.Exist, batch.Child);
            batch.Data.Clear();
            batch.Exist.Clear();
            batch.Child.Clear();
            bytes = 0;
        }
    }

    private async Task SendLoopAsync(Stream stream, JuteWriter writer, CancellationToken cancellation)
    {
        // Ping at a third of the session timeout; give up on a server silent for two thirds (as ZooKeeper's clients do).
        var pingEvery = NegotiatedTimeout / 3;
        var readTimeout = NegotiatedTimeout * 2 / 3;
        var lastSend = Stopwatch.GetTimestamp();
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            Volatile.Write(ref _signalled, 0);
            while (_unsent.TryDequeue(out var request))
            {
                if (request.IsCompleted) { ReleaseSlot(request); continue; }
                Frame(writer, request);
                if (writer.Length >= FlushThreshold) lastSend = await FlushAsync(stream, writer, cancellation).ConfigureAwait(false);
            }
            if (writer.Length > 0)
            {
                lastSend = await FlushAsync(stream, writer, cancellation).ConfigureAwait(false);
                continue;
            }

            var silence = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReceived));
            if (silence > readTimeout)
                throw new TimeoutException($"{ConnectedServer} sent nothing for {silence.TotalMilliseconds:0} ms (limit {readTimeout.TotalMilliseconds:0} ms).");
            var idle = Stopwatch.GetElapsedTime(lastSend);
            if (idle >= pingEvery)
            {
                Records.WritePing(writer);
                lastSend = await FlushAsync(stream, writer, cancellation).ConfigureAwait(false);
                continue;
            }
            if (!_unsent.IsEmpty) continue;
            var wait = TimeSpan.FromTicks(Math.Min((pingEvery - idle).Ticks, (readTimeout - silence).Ticks)) + TimeSpan.FromMilliseconds(1);
            await _sendSignal.WaitAsync(wait, cancellation).ConfigureAwait(false);
        }
    }

    private void Frame(JuteWriter writer, Request request)
    {
        var mark = writer.Length;
        var xid = request is AuthRequest ? Xids.Auth : NextXid();
        request.Xid = xid;
        writer.BeginFrame();
        Records.WriteRequestHeader(writer, xid, request.OpCode);
        request.WriteBody(writer);
        var size = writer.EndFrame();
        if (size > _options.MaxFrameSize)
        {
            // The server would drop the whole connection over it; refuse this one request instead.
            writer.Truncate(mark);
            request.Fail(new RequestTooLargeException(request.ClientPath, size, _options.MaxFrameSize));
            ReleaseSlot(request);
            return;
        }
        if (request is AuthRequest auth) _sentAuth.Enqueue(auth);
        else _sent.Enqueue(request);
    }

    private int NextXid()
    {
        // Positive and increasing; wraps long before reaching the reserved negative xids.
        if (++_xid == int.MaxValue) _xid = 1;
        return _xid;
    }

    private static async Task<long> FlushAsync(Stream stream, JuteWriter writer, CancellationToken cancellation)
    {
        await stream.WriteAsync(writer.Written, cancellation).ConfigureAwait(false);
        writer.Reset();
        return Stopwatch.GetTimestamp();
    }

    private async Task ReceiveLoopAsync(FrameReader reader, CancellationToken cancellation)
    {
        while (true)
        {
            var frame = await reader.ReadFrameAsync(Records.ReplyHeaderSize, Records.ReplyHeaderSize, cancellation).ConfigureAwait(false);
            Volatile.Write(ref _lastReceived, Stopwatch.GetTimestamp());
            if (frame.OversizedLength > 0)
            {
                HandleOversizedReply(frame.Bytes.Span, frame.OversizedLength);
                continue;
            }
            FrameTap?.Invoke(frame.Bytes.ToArray());
            HandleFrame(frame.Bytes.Span);
        }
    }

    /// <summary>Dispatches one reply frame; a malformed or unexpected one throws <see cref="ZooKeeperProtocolException"/>.</summary>
    internal void HandleFrame(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        var xid = reader.ReadInt();
        var zxid = reader.ReadLong();
        var error = reader.ReadInt();
        switch (xid)
        {
            case Xids.Ping:
            case Xids.SetWatches:
                return;
            case Xids.Notification:
                DeliverWatchEvent(ref reader);
                return;
            case Xids.Auth:
                if (!_sentAuth.TryDequeue(out var auth)) throw new ZooKeeperProtocolException("The server answered an authentication that was never sent.");
                if (error == 0 && !auth.IsReplay)
                    lock (_acceptedAuth) _acceptedAuth.Add(auth);
                auth.Complete(error, ref reader, Watches);
                return;
        }

        var request = TakeAnswered(xid);
        if (zxid > 0) Interlocked.Exchange(ref _lastZxid, zxid);
        try
        {
            request.Complete(error, ref reader, Watches);
        }
        catch (ZooKeeperProtocolException e)
        {
            request.Fail(new ConnectionLossException(request.ClientPath, e.Message, e));
            throw;
        }
    }

    /// <summary>
    /// The oldest outstanding request, which a reply with <paramref name="xid"/> must answer (ZooKeeper answers in
    /// order); anything else is a broken stream.
    /// </summary>
    private Request TakeAnswered(int xid)
    {
        if (!_sent.TryDequeue(out var request))
            throw new ZooKeeperProtocolException($"The server answered xid {xid}, but no request is outstanding.");
        ReleaseSlot(request);
        if (request.Xid != xid)
        {
            var mismatch = new ZooKeeperProtocolException($"The server answered xid {xid} while the oldest outstanding request is xid {request.Xid}.");
            request.Fail(new ConnectionLossException(request.ClientPath, mismatch.Message, mismatch));
            throw mismatch;
        }
        return request;
    }

    /// <summary>
    /// A reply longer than the frame limit (a value near 1 MB, a huge children list) fails only the request it
    /// answers: the frame reader skips the rest of its bytes on the next read, so the stream stays intact and the
    /// session stays.
    /// </summary>
    internal void HandleOversizedReply(ReadOnlySpan<byte> header, int length)
    {
        var reader = new JuteReader(header);
        var xid = reader.ReadInt();
        if (xid < 0)
            throw new ZooKeeperProtocolException($"The server sent a {length}-byte frame (xid {xid}), more than the {_options.MaxFrameSize}-byte frame limit.");
        var request = TakeAnswered(xid);
        request.Fail(new ReplyTooLargeException(request.ClientPath, length, _options.MaxFrameSize));
    }

    private void DeliverWatchEvent(ref JuteReader reader)
    {
        var type = reader.ReadInt();
        reader.ReadInt(); // keeper state: always SyncConnected for node events
        var serverPath = reader.ReadString() ?? throw new ZooKeeperProtocolException("A watch event has no path.");
        // Other types (watch removed, session events) are not produced for the watches this client sets.
        if (type is < (int)WatchEventType.NodeCreated or > (int)WatchEventType.NodeChildrenChanged) return;
        var watchers = Watches.Take((WatchEventType)type, serverPath);
        if (watchers.Count == 0) return;
        var change = new WatchedEvent((WatchEventType)type, ZooKeeperPath.Strip(Chroot, serverPath));
        foreach (var watcher in watchers) Post(() => watcher(change));
    }
}
