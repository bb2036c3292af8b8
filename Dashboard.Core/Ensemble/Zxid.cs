using System.Globalization;

namespace Dashboard.Core.Ensemble;

/// <summary>A ZooKeeper transaction id: the high 32 bits are the leader epoch, the low 32 bits the counter within it.</summary>
public readonly record struct Zxid(long Value)
{
    public long Epoch => (long)((ulong)Value >> 32);
    public long Counter => Value & 0xFFFF_FFFF;

    public static Zxid? TryParse(string? text) =>
        text is { Length: > 2 } t && t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        && long.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? new Zxid(v) : null;

    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);
}
