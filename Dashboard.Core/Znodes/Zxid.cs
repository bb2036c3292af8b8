using System.Globalization;

namespace Dashboard.Core.Znodes;

/// <summary>A ZooKeeper transaction id: the high 32 bits are the leader epoch, the low 32 a counter within it.</summary>
public readonly record struct Zxid(long Value)
{
    public int Epoch => (int)(Value >> 32);
    public uint Counter => (uint)(Value & 0xffffffff);
    public string Hex => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);
    public override string ToString() => $"{Hex} (epoch {Epoch}, counter {Counter})";
}

/// <summary>Times as people read them next to the absolute value: "3 min ago".</summary>
public static class RelativeTime
{
    public static string Describe(DateTimeOffset moment, DateTimeOffset now)
    {
        var span = now - moment;
        var future = span < TimeSpan.Zero;
        if (future) span = span.Negate();
        string amount = span.TotalSeconds switch
        {
            < 1 => "now",
            < 60 => $"{(int)span.TotalSeconds} s",
            < 3600 => $"{(int)span.TotalMinutes} min",
            < 86400 => $"{(int)span.TotalHours} h",
            _ => $"{(int)span.TotalDays} d",
        };
        return amount == "now" ? "just now" : future ? $"in {amount}" : $"{amount} ago";
    }
}
