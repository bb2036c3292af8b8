using System.Globalization;
using System.Text.Json;

namespace Dashboard.Core.Kafka;

/// <summary>
/// Parses a topic's assignment with <see cref="Utf8JsonReader"/> (a full read parses 10,000 of these; a
/// <see cref="JsonDocument"/> and three dictionaries each were a third of the read's time). Same rules and messages as
/// the document-based parsers: the version is checked first, then the fields in the order those checked them, and a
/// syntax error anywhere is "not JSON" whatever else is wrong.
/// </summary>
internal static class TopicAssignmentReader
{
    private const string Partitions = "partitions", Adding = "adding_replicas", Removing = "removing_replicas";

    public static TopicAssignment Read(string topic, byte[] data, ReplicaListPool? pool = null)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            // A syntax error anywhere comes first, as with a document.
            reader.Skip();
            reader.Read();
            throw new KafkaFormatException("not a JSON object");
        }
        int? version = null;
        string? versionError = null, topicId = null, topicIdError = null;
        Field partitions = default, adding = default, removing = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("version"u8)) version = Version(ref reader, ref versionError);
            else if (reader.ValueTextEquals("topic_id"u8)) topicId = TopicId(ref reader, ref topicIdError);
            else if (reader.ValueTextEquals("partitions"u8)) partitions = Map(ref reader, data, Partitions, pool);
            else if (reader.ValueTextEquals("adding_replicas"u8)) adding = Map(ref reader, data, Adding, pool);
            else if (reader.ValueTextEquals("removing_replicas"u8)) removing = Map(ref reader, data, Removing, pool);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new KafkaFormatException("not a JSON object");
        if (reader.Read()) throw new KafkaFormatException("trailing content");

        if (versionError is not null) throw new KafkaFormatException(versionError);
        if (version is not { } v) throw new KafkaFormatException("missing \"version\"");
        if (v is < 1 or > 3) throw new KafkaFormatException($"unsupported version {v} (known 1-3)");
        if (topicIdError is not null) throw new KafkaFormatException(topicIdError);
        if (partitions.Error is not null) throw new KafkaFormatException(partitions.Error);
        if (partitions.Map is null) throw new KafkaFormatException($"missing \"{Partitions}\"");
        if (adding.Error is not null) throw new KafkaFormatException(adding.Error);
        if (removing.Error is not null) throw new KafkaFormatException(removing.Error);
        return new TopicAssignment(topic, v, topicId, partitions.Map, adding.Map ?? PartitionReplicaMap.Empty, removing.Map ?? PartitionReplicaMap.Empty);
    }

    /// <summary>A map field as read: null (absent or JSON null), or why it is not Kafka's format.</summary>
    private readonly record struct Field(PartitionReplicaMap? Map, string? Error);

    /// <summary>A number, or a string holding one (Kafka writes some versions as strings).</summary>
    private static int? Version(ref Utf8JsonReader reader, ref string? error)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetInt32(out var n):
                return n;
            case JsonTokenType.String when int.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s):
                return s;
            default:
                reader.Skip();
                error = "\"version\" is not an integer";
                return null;
        }
    }

    private static string? TopicId(ref Utf8JsonReader reader, ref string? error)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        if (reader.TokenType != JsonTokenType.Null) error = "\"topic_id\" is not a string";
        reader.Skip();
        return null;
    }

    /// <summary>A map from partition number (a key string) to replica list; the rest of a bad value is still read through.</summary>
    private static Field Map(ref Utf8JsonReader reader, byte[] data, string name, ReplicaListPool? pool)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return new Field(null, $"\"{name}\" is not an object");
        }
        var entries = new List<(int, IReadOnlyList<int>)>();
        string? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var valid = int.TryParse(reader.HasValueSequence || reader.ValueIsEscaped ? default : reader.ValueSpan,
                NumberStyles.None, CultureInfo.InvariantCulture, out var partition);
            if (!valid && reader.ValueIsEscaped)
                valid = int.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out partition);
            // The key as written, decoded only for a message: the value's span is gone once the replicas are read.
            var escapedKey = reader.ValueIsEscaped ? reader.GetString() : null;
            var (keyStart, keyLength) = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            var replicas = Replicas(ref reader, out var replicasError);
            if (error is not null || (valid && replicasError is null))
            {
                if (error is null) entries.Add((partition, pool?.Share(replicas!) ?? replicas!));
                continue;
            }
            var key = escapedKey ?? System.Text.Encoding.UTF8.GetString(data, keyStart, keyLength);
            error = valid ? $"\"{name}\".{key} {replicasError}" : $"\"{name}\" has a non-numeric partition \"{key}\"";
        }
        return error is not null ? new Field(null, error) : new Field(PartitionReplicaMap.Of(entries), null);
    }

    private static int[]? Replicas(ref Utf8JsonReader reader, out string? error)
    {
        reader.Read();
        error = null;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            error = "is not an array";
            return null;
        }
        Span<int> found = stackalloc int[16];
        var count = 0;
        List<int>? more = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var replica))
            {
                error = "holds a non-integer";
                reader.Skip();
                continue;
            }
            if (count < found.Length) found[count] = replica;
            else (more ??= []).Add(replica);
            count++;
        }
        if (error is not null) return null;
        var replicas = new int[count];
        found[..Math.Min(count, found.Length)].CopyTo(replicas);
        more?.CopyTo(replicas, found.Length);
        return replicas;
    }
}
