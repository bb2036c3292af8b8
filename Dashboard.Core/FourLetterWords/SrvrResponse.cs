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

    /// <summary><c>Latency min/avg/max</c> in milliseconds; absent when the answer was a refusal.</summary>
    public double? LatencyMin { get; init; }
    public double? LatencyAvg { get; init; }
    public double? LatencyMax { get; init; }

    public static SrvrResponse Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (FourLetterWordText.IsWhitelistRefusal(text))
            return new(false, ServerMode.Unknown, null, null, null, null, null, false, WhitelistRefused: true);
        if (FourLetterWordText.IsNotServing(text))
            return new(false, ServerMode.Unknown, null, null, null, null, null, false, false);

        var mode = ServerMode.Unknown;
        string? version = null;
        long? zxid = null, nodes = null, connections = null, outstanding = null;
        var readOnly = false;
        double? latencyMin = null, latencyAvg = null, latencyMax = null;
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
                case "Latency min/avg/max":
                    var parts = value.Split('/');
                    if (parts.Length == 3) (latencyMin, latencyAvg, latencyMax) = (ParseDouble(parts[0]), ParseDouble(parts[1]), ParseDouble(parts[2]));
                    break;
            }
        }
        return new(mode != ServerMode.Unknown, mode, version, zxid, nodes, connections, outstanding, readOnly || mode == ServerMode.ReadOnly, false)
        {
            LatencyMin = latencyMin,
            LatencyAvg = latencyAvg,
            LatencyMax = latencyMax,
        };
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

    private static double? ParseDouble(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    private static long? ParseLong(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
