using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Dashboard.Core.ZooKeeper.Wire;

/// <summary>
/// Writes length-framed jute records into one pooled, growing buffer, so that many pipelined requests leave in a
/// single socket write. Used by the send loop only (not thread-safe).
/// </summary>
internal sealed class JuteWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int _frameStart = -1;

    public JuteWriter(int initialCapacity = 64 * 1024) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length => _length;

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public void Reset() => _length = 0;

    /// <summary>Drops everything written after <paramref name="mark"/> (a request that turned out too large).</summary>
    public void Truncate(int mark)
    {
        _length = mark;
        _frameStart = -1;
    }

    public void BeginFrame()
    {
        _frameStart = _length;
        WriteInt(0);
    }

    /// <summary>Fills in the frame's length prefix and returns the body's length.</summary>
    public int EndFrame()
    {
        var bodyLength = _length - _frameStart - 4;
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_frameStart), bodyLength);
        _frameStart = -1;
        return bodyLength;
    }

    public void WriteInt(int value) => BinaryPrimitives.WriteInt32BigEndian(Grab(4), value);

    public void WriteLong(long value) => BinaryPrimitives.WriteInt64BigEndian(Grab(8), value);

    public void WriteBool(bool value) => Grab(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteString(string? value)
    {
        if (value is null) { WriteInt(-1); return; }
        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt(length);
        Encoding.UTF8.GetBytes(value, Grab(length));
    }

    public void WriteBuffer(ReadOnlySpan<byte> value)
    {
        WriteInt(value.Length);
        value.CopyTo(Grab(value.Length));
    }

    public void WriteNullBuffer() => WriteInt(-1);

    private Span<byte> Grab(int count)
    {
        if (_buffer.Length - _length < count)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
