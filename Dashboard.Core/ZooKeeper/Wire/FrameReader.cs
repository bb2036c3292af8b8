using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace Dashboard.Core.ZooKeeper.Wire;

/// <summary>
/// Cuts the server's byte stream into length-prefixed frames. The length is checked against the configured maximum
/// before the buffer grows, so neither a hostile server nor a corrupted stream can make us allocate more than that.
/// A returned frame is valid until the next call.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private readonly Socket _socket;
    private readonly int _maxFrameSize;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public FrameReader(Socket socket, int maxFrameSize)
    {
        _socket = socket;
        _maxFrameSize = maxFrameSize;
        _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    }

    /// <summary>Bytes received so far; the connection loop uses it to notice a silent server.</summary>
    public long BytesReceived { get; private set; }

    public async ValueTask<ReadOnlyMemory<byte>> ReadFrameAsync(int minimumLength, CancellationToken cancellationToken)
    {
        await FillAsync(4, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
        if (length < minimumLength || length > _maxFrameSize)
            throw new ZooKeeperProtocolException($"The server sent a frame of {length} bytes; frames must be {minimumLength} to {_maxFrameSize} bytes.");
        _start += 4;
        await FillAsync(length, cancellationToken).ConfigureAwait(false);
        var frame = _buffer.AsMemory(_start, length);
        _start += length;
        return frame;
    }

    private async ValueTask FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_end - _start >= needed) return;
        if (_buffer.Length - _start < needed)
        {
            // Grow only to what this (already length-checked) frame needs; otherwise slide the unread bytes down.
            var target = _buffer.Length >= needed ? _buffer : ArrayPool<byte>.Shared.Rent(needed);
            _buffer.AsSpan(_start, _end - _start).CopyTo(target);
            if (!ReferenceEquals(target, _buffer)) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < needed)
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new ZooKeeperProtocolException($"The server closed the connection in the middle of a frame ({_end - _start} of {needed} bytes).", endOfStream: true);
            _end += read;
            BytesReceived += read;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
