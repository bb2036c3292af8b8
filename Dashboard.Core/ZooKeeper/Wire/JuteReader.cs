using System.Buffers.Binary;
using System.Text;

namespace Dashboard.Core.ZooKeeper.Wire;

/// <summary>
/// Reads jute records (big-endian, length-prefixed, -1 for null) from one frame. Every length is checked against
/// what is left of the frame before anything is allocated, so a lying length can never cost more than the frame.
/// </summary>
internal ref struct JuteReader
{
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public JuteReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly int Remaining => _span.Length - _position;

    public int ReadInt()
    {
        Need(4, "int");
        var value = BinaryPrimitives.ReadInt32BigEndian(_span[_position..]);
        _position += 4;
        return value;
    }

    public long ReadLong()
    {
        Need(8, "long");
        var value = BinaryPrimitives.ReadInt64BigEndian(_span[_position..]);
        _position += 8;
        return value;
    }

    public bool ReadBool()
    {
        Need(1, "boolean");
        return _span[_position++] != 0;
    }

    public string? ReadString()
    {
        var bytes = ReadLengthPrefixed("string");
        return bytes.IsNull ? null : Encoding.UTF8.GetString(_span.Slice(bytes.Start, bytes.Length));
    }

    public byte[]? ReadBuffer()
    {
        var bytes = ReadLengthPrefixed("buffer");
        return bytes.IsNull ? null : _span.Slice(bytes.Start, bytes.Length).ToArray();
    }

    /// <summary>A buffer as a view into the frame (empty for null): valid only while the frame is.</summary>
    public ReadOnlySpan<byte> ReadBufferSpan()
    {
        var bytes = ReadLengthPrefixed("buffer");
        return bytes.IsNull ? default : _span.Slice(bytes.Start, bytes.Length);
    }

    public void Skip(int bytes, string what)
    {
        Need(bytes, what);
        _position += bytes;
    }

    /// <summary>Skips a buffer and returns its length (-1 for null): lets a reader count bytes without copying.</summary>
    public int SkipBuffer() => ReadLengthPrefixed("buffer").Length;

    /// <summary>
    /// Reads a vector's element count; -1 (null) comes back as -1. A count that could not fit in what is left of the
    /// frame, given each element's smallest encoding, is refused before a list of that size is made.
    /// </summary>
    public int ReadVectorCount(int smallestElement)
    {
        var count = ReadInt();
        if (count == -1) return -1;
        if (count < 0 || (long)count * smallestElement > Remaining)
            throw new ZooKeeperProtocolException($"A vector claims {count} elements but only {Remaining} bytes are left in the frame.");
        return count;
    }

    private (int Start, int Length, bool IsNull) ReadLengthPrefixed(string what)
    {
        var length = ReadInt();
        if (length == -1) return (0, -1, true);
        if (length < 0 || length > Remaining)
            throw new ZooKeeperProtocolException($"A {what} claims {length} bytes but only {Remaining} are left in the frame.");
        var start = _position;
        _position += length;
        return (start, length, false);
    }

    private readonly void Need(int bytes, string what)
    {
        if (Remaining < bytes)
            throw new ZooKeeperProtocolException($"The frame ended while reading a {what} ({Remaining} of {bytes} bytes left).");
    }
}
