using System.Buffers;
using System.Buffers.Binary;

namespace Dashboard.Core.ZooKeeper.Wire;

/// <summary>
/// Cuts the server's byte stream (a socket's, or TLS over it) into length-prefixed frames. The length is checked against the configured maximum
/// before the buffer grows, so neither a hostile server nor a corrupted stream can make us allocate more than that.
/// A returned frame is valid until the next call.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    private readonly Stream _stream;
    private readonly int _maxFrameSize;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _pendingSkip;

    public FrameReader(Stream stream, int maxFrameSize)
    {
        _stream = stream;
        _maxFrameSize = maxFrameSize;
        _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    }

    /// <summary>Bytes received so far; the connection loop uses it to notice a silent server.</summary>
    public long BytesReceived { get; private set; }

    public async ValueTask<ReadOnlyMemory<byte>> ReadFrameAsync(int minimumLength, CancellationToken cancellationToken)
    {
        var frame = await ReadFrameAsync(minimumLength, 0, cancellationToken).ConfigureAwait(false);
        if (frame.OversizedLength > 0)
            throw new ZooKeeperProtocolException($"The server sent a frame of {frame.OversizedLength} bytes; frames must be {minimumLength} to {_maxFrameSize} bytes.");
        return frame.Bytes;
    }

    /// <summary>
    /// Reads one frame. A frame longer than the maximum is not a broken stream when the caller can name the request
    /// it answers: with <paramref name="keptPrefix"/> &gt; 0 its first bytes (the reply header) are returned, the rest is
    /// discarded by the next read without being buffered, and <see cref="ReceivedFrame.OversizedLength"/> says how long
    /// it was. Skipping only on the next read lets the caller check the header first: a header that answers no
    /// outstanding request is a broken stream, and the connection is dropped instead of reading up to 2 GB of it.
    /// </summary>
    public async ValueTask<ReceivedFrame> ReadFrameAsync(int minimumLength, int keptPrefix, CancellationToken cancellationToken)
    {
        if (_pendingSkip > 0)
        {
            await SkipAsync(_pendingSkip, cancellationToken).ConfigureAwait(false);
            _pendingSkip = 0;
        }
        await FillAsync(4, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
        if (length < minimumLength || (length > _maxFrameSize && (keptPrefix <= 0 || length < keptPrefix)))
            throw new ZooKeeperProtocolException($"The server sent a frame of {length} bytes; frames must be {minimumLength} to {_maxFrameSize} bytes.");
        _start += 4;
        if (length > _maxFrameSize)
        {
            await FillAsync(keptPrefix, cancellationToken).ConfigureAwait(false);
            var prefix = _buffer.AsSpan(_start, keptPrefix).ToArray();
            _start += keptPrefix;
            _pendingSkip = length - keptPrefix;
            return new ReceivedFrame(prefix, length);
        }
        await FillAsync(length, cancellationToken).ConfigureAwait(false);
        var frame = _buffer.AsMemory(_start, length);
        _start += length;
        return new ReceivedFrame(frame, 0);
    }

    /// <summary>Consumes <paramref name="count"/> bytes of the stream through the existing buffer (no allocation).</summary>
    private async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_end == _start)
            {
                _start = _end = 0;
                var read = await _stream.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (read == 0) throw new ZooKeeperProtocolException($"The server closed the connection in the middle of an oversized frame ({count} bytes still to come).", endOfStream: true);
                _end = read;
                BytesReceived += read;
            }
            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
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
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
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

/// <summary>
/// A frame as read: the whole frame, or for an oversized one only its kept prefix and its announced length.
/// <see cref="Bytes"/> of a whole frame is valid until the next read.
/// </summary>
internal readonly record struct ReceivedFrame(ReadOnlyMemory<byte> Bytes, int OversizedLength);
