using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Dashboard.Core.FourLetterWords;

/// <summary>
/// A parsed <c>mntr</c> answer, kept generic (keys vary by version: hundreds in 3.6+) with typed accessors for the
/// keys the dashboard reads. AdminServer <c>/commands/monitor</c> fills the same shape (its keys lack <c>zk_</c>).
/// </summary>
public sealed record MntrResponse(bool IsServing, bool WhitelistRefused, ImmutableDictionary<string, string> Values)
{
    public static readonly MntrResponse NotServing = new(false, false, ImmutableDictionary<string, string>.Empty);

    public static MntrResponse Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (FourLetterWordText.IsWhitelistRefusal(text)) return new(false, true, ImmutableDictionary<string, string>.Empty);
        if (FourLetterWordText.IsNotServing(text)) return NotServing;
        var values = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0) continue;
            values[line[..tab]] = line[(tab + 1)..].Trim();
        }
        return new(values.Count > 0, false, values.ToImmutable());
    }

    /// <summary>From the AdminServer <c>monitor</c> JSON object; keys are given the <c>zk_</c> prefix of the 4lw form.</summary>
    public static MntrResponse FromAdminMonitor(JsonElement monitor)
    {
        var values = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
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
        return new(values.Count > 0, false, values.ToImmutable());
    }

    public string? Get(string key) => Values.TryGetValue(key, out var v) ? v : null;

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
