using System.Globalization;
using System.Text.Json;

namespace Dashboard.Core.Kafka;

/// <summary>Strict accessors over Kafka's JSON: a missing or mistyped field is a <see cref="KafkaFormatException"/>.</summary>
internal static class KafkaJson
{
    public static JsonElement Object(JsonDocument document)
    {
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new KafkaFormatException("not a JSON object");
        return document.RootElement;
    }

    public static int Version(JsonElement root, int min, int max)
    {
        var version = Int(root, "version");
        if (version < min || version > max) throw new KafkaFormatException($"unsupported version {version} (known {min}-{max})");
        return version;
    }

    public static int Int(JsonElement root, string name) =>
        TryInt(root, name) ?? throw new KafkaFormatException($"missing \"{name}\"");

    public static int? TryInt(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        // Kafka writes some numbers as strings (e.g. /cluster/id's version); accept both.
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n)) return n;
        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return n;
        throw new KafkaFormatException($"\"{name}\" is not an integer");
    }

    public static long Long(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) throw new KafkaFormatException($"missing \"{name}\"");
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)) return n;
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return n;
        throw new KafkaFormatException($"\"{name}\" is not an integer");
    }

    public static string? String(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw new KafkaFormatException($"\"{name}\" is not a string");
        return value.GetString();
    }

    /// <summary>Kafka's millisecond timestamps are strings.</summary>
    public static DateTimeOffset? Timestamp(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        long ms;
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out ms)) { }
        else if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out ms)) { }
        else throw new KafkaFormatException($"\"{name}\" is not a timestamp");
        try
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new KafkaFormatException($"\"{name}\" is out of range");
        }
    }

    public static IReadOnlyList<int> IntArray(JsonElement value, string what)
    {
        if (value.ValueKind != JsonValueKind.Array) throw new KafkaFormatException($"{what} is not an array");
        var list = new int[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var n)) throw new KafkaFormatException($"{what} holds a non-integer");
            list[i++] = n;
        }
        return list;
    }

    public static IReadOnlyList<string> StringArray(JsonElement value, string what)
    {
        if (value.ValueKind != JsonValueKind.Array) throw new KafkaFormatException($"{what} is not an array");
        return value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String
            ? item.GetString()!
            : throw new KafkaFormatException($"{what} holds a non-string")).ToList();
    }

    /// <summary>A map from partition number (a JSON key string) to replica list.</summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<int>> PartitionMap(JsonElement root, string name, bool required)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw new KafkaFormatException($"missing \"{name}\"") : new Dictionary<int, IReadOnlyList<int>>();
        if (value.ValueKind != JsonValueKind.Object) throw new KafkaFormatException($"\"{name}\" is not an object");
        var map = new Dictionary<int, IReadOnlyList<int>>();
        foreach (var property in value.EnumerateObject())
        {
            if (!int.TryParse(property.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
                throw new KafkaFormatException($"\"{name}\" has a non-numeric partition \"{property.Name}\"");
            map[partition] = IntArray(property.Value, $"\"{name}\".{property.Name}");
        }
        return map;
    }

    public static IReadOnlyDictionary<string, string> StringMap(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return new Dictionary<string, string>();
        if (value.ValueKind != JsonValueKind.Object) throw new KafkaFormatException($"\"{name}\" is not an object");
        return value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String
            ? p.Value.GetString()!
            : throw new KafkaFormatException($"\"{name}\".{p.Name} is not a string"));
    }

    public static IReadOnlyList<TopicPartition> TopicPartitions(JsonElement root) =>
        Array(root, "partitions").Select(TopicPartitionOf).ToList();

    public static IEnumerable<JsonElement> Array(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
            throw new KafkaFormatException($"\"{name}\" is missing or not an array");
        return value.EnumerateArray();
    }

    public static TopicPartition TopicPartitionOf(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object) throw new KafkaFormatException("a partition entry is not an object");
        return new TopicPartition(String(item, "topic") ?? throw new KafkaFormatException("missing \"topic\""), Int(item, "partition"));
    }
}
