using System.Globalization;
using System.Text;
using System.Text.Json;
using static Dashboard.Core.Kafka.KafkaJson;

namespace Dashboard.Core.Kafka;

/// <summary>
/// Parses the data of Kafka's znodes (formats of Kafka 2.x-3.x, <c>ZkData.scala</c>). Never throws on bad data:
/// a malformed or unknown-version value comes back as a failed <see cref="ParseResult{T}"/>.
/// </summary>
public static class KafkaZNodeParser
{
    public static ParseResult<BrokerRegistration> BrokerRegistration(int id, byte[] data, long czxid) => Guard(data, root =>
    {
        var version = Version(root, 1, 5);
        var endpoints = root.TryGetProperty("endpoints", out var e) && e.ValueKind != JsonValueKind.Null ? StringArray(e, "\"endpoints\"") : [];
        var features = new Dictionary<string, FeatureRange>();
        if (root.TryGetProperty("features", out var f) && f.ValueKind == JsonValueKind.Object)
        {
            foreach (var feature in f.EnumerateObject())
            {
                if (feature.Value.ValueKind != JsonValueKind.Object) throw new KafkaFormatException($"feature {feature.Name} is not an object");
                features[feature.Name] = new FeatureRange(Int(feature.Value, "min_version"), Int(feature.Value, "max_version"));
            }
        }
        return new BrokerRegistration(id, version, String(root, "host"), TryInt(root, "port") ?? -1, endpoints,
            StringMap(root, "listener_security_protocol_map"), TryInt(root, "jmx_port") ?? -1, Timestamp(root, "timestamp"),
            String(root, "rack"), features, czxid);
    });

    public static ParseResult<ControllerRegistration> Controller(byte[] data) => Guard(data, root =>
    {
        var version = Version(root, 1, 2);
        return new ControllerRegistration(Int(root, "brokerid"), version, Timestamp(root, "timestamp"), TryInt(root, "kraftControllerEpoch"));
    });

    /// <summary><c>/migration</c> (3.4+, version 0): where the KRaft controller's copy of the metadata stands.</summary>
    public static ParseResult<MigrationRecord> Migration(byte[] data, int zkVersion) => Guard(data, root =>
    {
        var version = Version(root, 0, 0);
        return new MigrationRecord(version, Int(root, "kraft_controller_id"), Int(root, "kraft_controller_epoch"),
            Long(root, "kraft_metadata_offset"), Int(root, "kraft_metadata_epoch"), zkVersion);
    });

    /// <summary>A full read parses one per topic: a forward-only reader, no document.</summary>
    public static ParseResult<TopicAssignment> TopicAssignment(string topic, byte[] data) => TopicAssignment(topic, data, null);

    /// <summary>As above, the replica lists shared through <paramref name="pool"/>.</summary>
    internal static ParseResult<TopicAssignment> TopicAssignment(string topic, byte[] data, ReplicaListPool? pool) =>
        Stream(data, (topic, pool), static (bytes, arg) => TopicAssignmentReader.Read(arg.topic, bytes, arg.pool));

    /// <summary>The hot path of a full read (one per partition): a forward-only reader, no document.</summary>
    public static ParseResult<PartitionState> PartitionState(byte[] data, int zkVersion) =>
        data is null ? ParseResult<PartitionState>.Fail("empty") : PartitionState(data.AsSpan(), zkVersion);

    /// <summary>As above, from a view into a reply frame (the full read parses states where they are decoded).</summary>
    internal static ParseResult<PartitionState> PartitionState(ReadOnlySpan<byte> data, int zkVersion) =>
        TryPartitionState(data, zkVersion, out var error) is { } state ? ParseResult<PartitionState>.Ok(state) : ParseResult<PartitionState>.Fail(error!);

    /// <summary>The state, or null with why not: no result object for each of a full read's 100,000 states.</summary>
    internal static PartitionState? TryPartitionState(ReadOnlySpan<byte> data, int zkVersion, out string? error, ReplicaListPool? pool = null)
    {
        error = null;
        if (data.IsEmpty)
        {
            error = "empty";
            return null;
        }
        try
        {
            return PartitionStateReader.Read(data, zkVersion, pool);
        }
        catch (JsonException e)
        {
            error = $"not JSON: {e.Message}";
        }
        catch (KafkaFormatException e)
        {
            error = e.Message;
        }
        return null;
    }

    public static ParseResult<EntityConfig> Config(byte[] data) => Guard(data, root =>
    {
        Version(root, 1, 1);
        return new EntityConfig(StringMap(root, "config"));
    });

    public static ParseResult<string> ClusterId(byte[] data) => Guard(data, root =>
    {
        Version(root, 1, 1);
        return String(root, "id") ?? throw new KafkaFormatException("missing \"id\"");
    });

    public static ParseResult<IReadOnlyList<TopicPartition>> PreferredReplicaElection(byte[] data) => Guard(data, root =>
    {
        Version(root, 1, 1);
        return TopicPartitions(root);
    });

    public static ParseResult<IReadOnlyList<PartitionReassignment>> Reassignment(byte[] data) => Guard(data, root =>
    {
        Version(root, 1, 1);
        return (IReadOnlyList<PartitionReassignment>)Array(root, "partitions").Select(item =>
        {
            var replicas = item.TryGetProperty("replicas", out var r) ? IntArray(r, "\"replicas\"") : throw new KafkaFormatException("missing \"replicas\"");
            return new PartitionReassignment(TopicPartitionOf(item), replicas);
        }).ToList();
    });

    /// <summary><c>/controller_epoch</c> is a bare integer, not JSON; null when it is not one.</summary>
    public static int? ControllerEpoch(byte[] data) =>
        int.TryParse(Encoding.UTF8.GetString(data).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch) ? epoch : null;

    /// <summary>The raw value as shown for an unreadable znode (bounded: a znode may hold up to a megabyte).</summary>
    public static string Raw(byte[] data) => Raw(data.AsSpan());

    internal static string Raw(ReadOnlySpan<byte> data)
    {
        const int max = 2000;
        var text = Encoding.UTF8.GetString(data[..Math.Min(data.Length, max)]);
        return data.Length > max ? text + "…" : text;
    }

    private static ParseResult<T> Stream<TArg, T>(byte[] data, TArg arg, Func<byte[], TArg, T> read)
        where T : class
    {
        if (data is null || data.Length == 0) return ParseResult<T>.Fail("empty");
        try
        {
            return ParseResult<T>.Ok(read(data, arg));
        }
        catch (JsonException e)
        {
            return ParseResult<T>.Fail($"not JSON: {e.Message}");
        }
        catch (KafkaFormatException e)
        {
            return ParseResult<T>.Fail(e.Message);
        }
    }

    private static ParseResult<T> Guard<T>(byte[] data, Func<JsonElement, T> parse)
        where T : class
    {
        if (data is null || data.Length == 0) return ParseResult<T>.Fail("empty");
        try
        {
            using var document = JsonDocument.Parse(data);
            return ParseResult<T>.Ok(parse(Object(document)));
        }
        catch (JsonException e)
        {
            return ParseResult<T>.Fail($"not JSON: {e.Message}");
        }
        catch (KafkaFormatException e)
        {
            return ParseResult<T>.Fail(e.Message);
        }
    }
}
