using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>A readable summary of a znode Kafka wrote, shown beside its raw JSON.</summary>
public abstract record KafkaCard;

/// <summary><c>/brokers/ids/&lt;id&gt;</c>; the znode's czxid is the broker epoch (a new one means a restart).</summary>
public sealed record BrokerCard(int BrokerId, string? Host, int Port, IReadOnlyList<string> Endpoints, string? Rack, DateTimeOffset? Registered, long BrokerEpoch) : KafkaCard;

public sealed record PartitionAssignment(int Partition, IReadOnlyList<int> Replicas, IReadOnlyList<int> Adding, IReadOnlyList<int> Removing)
{
    /// <summary>The first replica is the preferred leader.</summary>
    public int? PreferredLeader => Replicas.Count > 0 ? Replicas[0] : null;
}

/// <summary><c>/brokers/topics/&lt;t&gt;</c>.</summary>
public sealed record TopicCard(string Topic, string? TopicId, IReadOnlyList<PartitionAssignment> Partitions) : KafkaCard
{
    public bool Reassigning => Partitions.Any(p => p.Adding.Count > 0 || p.Removing.Count > 0);
}

/// <summary>
/// <c>/brokers/topics/&lt;t&gt;/partitions/&lt;p&gt;/state</c>; leader -1 means offline. <see cref="LeaderRecoveryState"/>
/// is Kafka's <c>leader_recovery_state</c> (0 recovered, 1 recovering after an unclean election; absent before 3.2).
/// </summary>
public sealed record PartitionStateCard(string Topic, int Partition, int Leader, int LeaderEpoch, int ControllerEpoch, IReadOnlyList<int> Isr, int ZkVersion) : KafkaCard
{
    public bool Offline => Leader < 0;
    public int? LeaderRecoveryState { get; init; }

    public string? LeaderRecoveryText => LeaderRecoveryState switch
    {
        null => null,
        0 => "recovered",
        1 => "recovering (after an unclean leader election)",
        var other => $"unknown ({other})",
    };
}

/// <summary>
/// <c>/controller</c>. Kafka writes <c>kraftControllerEpoch</c> -1 when a ZooKeeper-elected broker is the
/// controller (a migration-era field): that is not a KRaft epoch, so <see cref="KraftControllerEpoch"/> is null then.
/// </summary>
public sealed record ControllerCard(int BrokerId, DateTimeOffset? Since, int Version, long? KraftControllerEpoch) : KafkaCard
{
    public bool KraftController => KraftControllerEpoch is not null;
}

/// <summary>Recognises Kafka's znodes by path and reads them leniently: a field of the wrong type yields no card, not an error.</summary>
public static partial class KafkaZnodeCards
{
    [GeneratedRegex(@"^/brokers/ids/(\d+)$")]
    private static partial Regex BrokerPath();

    [GeneratedRegex(@"^/brokers/topics/([^/]+)$")]
    private static partial Regex TopicPath();

    [GeneratedRegex(@"^/brokers/topics/([^/]+)/partitions/(\d+)/state$")]
    private static partial Regex PartitionStatePath();

    [GeneratedRegex(@"^(/[^/]+)?(/brokers/ids/\d+|/brokers/topics/[^/]+|/brokers/topics/[^/]+/partitions/\d+/state|/controller)$")]
    private static partial Regex AnyKafkaPath();

    /// <summary>
    /// The path relative to Kafka's chroot, or null when it is not under it. <paramref name="chroot"/> is the
    /// configured or detected one ("" for the root); null when unknown, then the root or one level down counts
    /// (where Kafka's chroot detection looks).
    /// </summary>
    public static string? UnderChroot(string path, string? chroot)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (chroot is not null)
            return chroot.Length == 0 ? path : path.StartsWith(chroot + "/", StringComparison.Ordinal) ? path[chroot.Length..] : null;
        var match = AnyKafkaPath().Match(path);
        return match.Success ? match.Groups[2].Value : null;
    }

    public static KafkaCard? TryRead(string path, ReadOnlySpan<byte> data, NodeStat stat, string? chroot = "")
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stat);
        if (UnderChroot(path, chroot) is not { } relative) return null;
        path = relative;
        if (data.Length == 0 || data.Length > 4 * 1024 * 1024) return null;
        try
        {
            using var document = JsonDocument.Parse(data.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (BrokerPath().Match(path) is { Success: true } broker)
                return new BrokerCard(Int(broker.Groups[1].Value), Str(root, "host"), IntProp(root, "port") ?? -1, Strings(root, "endpoints"), Str(root, "rack"), Millis(root, "timestamp"), stat.CreatedZxid);
            if (TopicPath().Match(path) is { Success: true } topic)
                return ReadTopic(topic.Groups[1].Value, root);
            if (PartitionStatePath().Match(path) is { Success: true } state)
                return new PartitionStateCard(state.Groups[1].Value, Int(state.Groups[2].Value), IntProp(root, "leader") ?? -1, IntProp(root, "leader_epoch") ?? 0,
                    IntProp(root, "controller_epoch") ?? 0, Ints(root, "isr"), stat.Version) { LeaderRecoveryState = IntProp(root, "leader_recovery_state") };
            if (path == "/controller" && IntProp(root, "brokerid") is { } controller)
                return new ControllerCard(controller, Millis(root, "timestamp"), IntProp(root, "version") ?? 0,
                    root.TryGetProperty("kraftControllerEpoch", out var epoch) && epoch.TryGetInt64(out var e) && e >= 0 ? e : null);
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            return null;
        }
    }

    private static TopicCard? ReadTopic(string topic, JsonElement root)
    {
        if (!root.TryGetProperty("partitions", out var partitions) || partitions.ValueKind != JsonValueKind.Object) return null;
        var adding = root.TryGetProperty("adding_replicas", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
        var removing = root.TryGetProperty("removing_replicas", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
        var list = partitions.EnumerateObject()
            .Select(p => new PartitionAssignment(Int(p.Name), p.Value.EnumerateArray().Select(x => x.GetInt32()).ToList(), Ints(adding, p.Name), Ints(removing, p.Name)))
            .OrderBy(p => p.Partition)
            .ToList();
        return new TopicCard(topic, Str(root, "topic_id"), list);
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static int? IntProp(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static List<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];

    private static List<int> Ints(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetInt32()).ToList() : [];

    /// <summary>Kafka writes epoch milliseconds as a string.</summary>
    private static DateTimeOffset? Millis(JsonElement e, string name) =>
        Str(e, name) is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
