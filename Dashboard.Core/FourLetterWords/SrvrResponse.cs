using System.Globalization;

namespace Dashboard.Core.FourLetterWords;

/// <summary>A parsed <c>srvr</c> answer. <see cref="IsServing"/> is false for "not currently serving requests".</summary>
public sealed record SrvrResponse(
    bool IsServing,
    ServerMode Mode,
    string? Version,
    long? Zxid,
    long? NodeCount,
    long? Connections,
    long? Outstanding,
    bool ReadOnly,
    bool WhitelistRefused)
{
    public const string NotServingText = "This ZooKeeper instance is not currently serving requests";

    public static SrvrResponse Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains("is not executed because it is not in the whitelist", StringComparison.Ordinal))
            return new(false, ServerMode.Unknown, null, null, null, null, null, false, WhitelistRefused: true);
        if (text.Contains(NotServingText, StringComparison.Ordinal))
            return new(false, ServerMode.Unknown, null, null, null, null, null, false, false);

        var mode = ServerMode.Unknown;
        string? version = null;
        long? zxid = null, nodes = null, connections = null, outstanding = null;
        var readOnly = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("READ-ONLY mode", StringComparison.Ordinal)) { readOnly = true; continue; }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var key = line[..colon];
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "Zookeeper version": version = value; break;
                case "Mode": mode = ParseMode(value); break;
                case "Zxid" when value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                                 && long.TryParse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var z):
                    zxid = z; break;
                case "Node count": nodes = ParseLong(value); break;
                case "Connections": connections = ParseLong(value); break;
                case "Outstanding": outstanding = ParseLong(value); break;
            }
        }
        return new(mode != ServerMode.Unknown, mode, version, zxid, nodes, connections, outstanding, readOnly || mode == ServerMode.ReadOnly, false);
    }

    public static ServerMode ParseMode(string value) => value.Trim() switch
    {
        "leader" => ServerMode.Leader,
        "follower" => ServerMode.Follower,
        "observer" => ServerMode.Observer,
        "standalone" => ServerMode.Standalone,
        "read-only" => ServerMode.ReadOnly,
        _ => ServerMode.Unknown,
    };

    private static long? ParseLong(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
