using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;

namespace Dashboard.Core.FourLetterWords;

/// <summary>
/// A parsed <c>mntr</c> answer, kept generic (keys vary by version: hundreds in 3.6+) with typed accessors for the
/// keys the dashboard reads. AdminServer <c>/commands/monitor</c> fills the same shape (its keys lack <c>zk_</c>).
/// </summary>
/// <remarks>
/// A 3.8 answer is ~30 KB with ~400 keys, on every poll of every node; making a string of each key and value cost
/// more CPU than the rest of the poll together. So one pass over the text keeps only the keys the dashboard
/// reads, and <see cref="Values"/> (every key) is built from the raw text only when someone asks for it.
/// </remarks>
public sealed class MntrResponse
{
    private static readonly FrozenSet<string> ReadKeys = FrozenSet.Create(StringComparer.Ordinal,
        "zk_version", "zk_server_state", "zk_peer_state", "zk_learners", "zk_followers", "zk_synced_followers",
        "zk_synced_observers", "zk_synced_non_voting_followers", "zk_pending_syncs", "zk_outstanding_requests",
        "zk_znode_count", "zk_watch_count", "zk_ephemerals_count", "zk_approximate_data_size",
        "zk_open_file_descriptor_count", "zk_max_file_descriptor_count", "zk_num_alive_connections",
        "zk_min_latency", "zk_avg_latency", "zk_max_latency", "zk_uptime", "zk_leader_uptime", "zk_quorum_size");

    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();
    public static readonly MntrResponse NotServing = new(false, false, None, null);

    private readonly IReadOnlyDictionary<string, string> _read;
    private readonly string? _raw;
    private IReadOnlyDictionary<string, string>? _all;

    private MntrResponse(bool isServing, bool whitelistRefused, IReadOnlyDictionary<string, string> read, string? raw)
    {
        IsServing = isServing;
        WhitelistRefused = whitelistRefused;
        _read = read;
        _raw = raw;
        if (raw is null) _all = read;
    }

    public bool IsServing { get; }
    public bool WhitelistRefused { get; }

    /// <summary>Every key the server sent (parsed on first use).</summary>
    public IReadOnlyDictionary<string, string> Values => _all ??= ParseAll(_raw!);

    public static MntrResponse Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (FourLetterWordText.IsWhitelistRefusal(text)) return new(false, true, None, null);
        if (FourLetterWordText.IsNotServing(text)) return NotServing;
        var read = new Dictionary<string, string>(ReadKeys.Count, StringComparer.Ordinal);
        var lookup = ReadKeys.GetAlternateLookup<ReadOnlySpan<char>>();
        var lines = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan(range.Start.Value, range.End.Value - range.Start.Value).TrimEnd('\r');
            var tab = line.IndexOf('\t');
            if (tab <= 0) continue;
            lines++;
            if (lookup.TryGetValue(line[..tab], out var key)) read[key] = line[(tab + 1)..].Trim().ToString();
        }
        return new(lines > 0, false, read, text);
    }

    private static Dictionary<string, string> ParseAll(string text)
    {
        var values = new Dictionary<string, string>(512, StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0) continue;
            values[line[..tab]] = line[(tab + 1)..].Trim();
        }
        return values;
    }

    /// <summary>From the AdminServer <c>monitor</c> JSON object; keys are given the <c>zk_</c> prefix of the 4lw form.</summary>
    public static MntrResponse FromAdminMonitor(JsonElement monitor)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in monitor.EnumerateObject())
        {
            if (property.Name is "command" or "error") continue;
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString() ?? "",
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (value is not null) values["zk_" + property.Name] = value;
        }
        return new(values.Count > 0, false, values, null);
    }

    /// <summary>A key the one-pass parse keeps is answered from it (absent means absent); any other parses everything once.</summary>
    public string? Get(string key) =>
        _read.TryGetValue(key, out var v) ? v
        : ReadKeys.Contains(key) ? null
        : Values.TryGetValue(key, out v) ? v : null;

    public long? GetLong(string key) =>
        Get(key) is { } v && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (long)d : null;

    public double? GetDouble(string key) =>
        Get(key) is { } v && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    public string? ServerState => Get("zk_server_state");
    public string? PeerState => Get("zk_peer_state");
    public string? Version => Get("zk_version");

    /// <summary>Learners connected to a leader: <c>zk_followers</c> until 3.5, renamed <c>zk_learners</c> in 3.6.</summary>
    public long? Learners => GetLong("zk_learners") ?? GetLong("zk_followers");
    public long? SyncedFollowers => GetLong("zk_synced_followers");
    public long? SyncedObservers => GetLong("zk_synced_observers");
    public long? SyncedNonVotingFollowers => GetLong("zk_synced_non_voting_followers");
    public long? PendingSyncs => GetLong("zk_pending_syncs");
    public long? OutstandingRequests => GetLong("zk_outstanding_requests");
    public long? ZnodeCount => GetLong("zk_znode_count");
    public long? WatchCount => GetLong("zk_watch_count");
    public long? EphemeralsCount => GetLong("zk_ephemerals_count");
    public long? ApproximateDataSize => GetLong("zk_approximate_data_size");
    public long? OpenFileDescriptors => GetLong("zk_open_file_descriptor_count");
    public long? MaxFileDescriptors => GetLong("zk_max_file_descriptor_count");
    public long? Connections => GetLong("zk_num_alive_connections");
    public double? LatencyMin => GetDouble("zk_min_latency");
    public double? LatencyAvg => GetDouble("zk_avg_latency");
    public double? LatencyMax => GetDouble("zk_max_latency");

    /// <summary><c>zk_uptime</c> exists from 3.6 on (milliseconds).</summary>
    public TimeSpan? Uptime => GetLong("zk_uptime") is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
}
