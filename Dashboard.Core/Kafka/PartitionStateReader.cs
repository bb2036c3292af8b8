using System.Buffers.Text;
using System.Text.Json;

namespace Dashboard.Core.Kafka;

/// <summary>
/// Parses a partition state with <see cref="Utf8JsonReader"/>: a full read parses 100,000 of these, and a
/// <see cref="JsonDocument"/> each cost most of the read's time and allocations. Same rules as the other parsers.
/// </summary>
internal static class PartitionStateReader
{
    public static PartitionState Read(ReadOnlySpan<byte> data, int zkVersion, ReplicaListPool? pool = null)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new KafkaFormatException("not a JSON object");
        int? version = null, leader = null, leaderEpoch = null, controllerEpoch = null, recovery = null;
        int[]? isr = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("version"u8)) version = Int(ref reader, "version");
            else if (reader.ValueTextEquals("leader"u8)) leader = Int(ref reader, "leader");
            else if (reader.ValueTextEquals("leader_epoch"u8)) leaderEpoch = Int(ref reader, "leader_epoch");
            else if (reader.ValueTextEquals("controller_epoch"u8)) controllerEpoch = Int(ref reader, "controller_epoch");
            else if (reader.ValueTextEquals("leader_recovery_state"u8)) recovery = Int(ref reader, "leader_recovery_state");
            else if (reader.ValueTextEquals("isr"u8)) isr = IntArray(ref reader, "\"isr\"");

            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new KafkaFormatException("not a JSON object");
        if (reader.Read()) throw new KafkaFormatException("trailing content");

        if (version is not { } v) throw new KafkaFormatException("missing \"version\"");
        if (v != 1) throw new KafkaFormatException($"unsupported version {v} (known 1-1)");
        if (isr is null) throw new KafkaFormatException("missing \"isr\"");
        var recoveryState = recovery ?? 0;
        if (recoveryState is not (0 or 1)) throw new KafkaFormatException($"unknown leader_recovery_state {recoveryState}");
        return new PartitionState(
            leader ?? throw new KafkaFormatException("missing \"leader\""),
            leaderEpoch ?? throw new KafkaFormatException("missing \"leader_epoch\""),
            pool?.Share(isr) ?? isr,
            controllerEpoch ?? throw new KafkaFormatException("missing \"controller_epoch\""),
            (LeaderRecoveryState)recoveryState,
            zkVersion);
    }

    /// <summary>A number, or a string holding one (as Kafka's other formats allow); null means absent.</summary>
    private static int? Int(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetInt32(out var n):
                return n;
            case JsonTokenType.String when !reader.HasValueSequence && !reader.ValueIsEscaped
                && Utf8Parser.TryParse(reader.ValueSpan, out int s, out var consumed) && consumed == reader.ValueSpan.Length:
                return s;
            default:
                reader.Skip();
                throw new KafkaFormatException($"\"{name}\" is not an integer");
        }
    }

    /// <summary>One exact-size array (an ISR is a handful of ids): gathered on the stack, copied once.</summary>
    private static int[] IntArray(ref Utf8JsonReader reader, string what)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray) throw new KafkaFormatException($"{what} is not an array");
        Span<int> found = stackalloc int[16];
        var count = 0;
        List<int>? more = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var n)) throw new KafkaFormatException($"{what} holds a non-integer");
            if (count < found.Length) found[count] = n;
            else (more ??= []).Add(n);
            count++;
        }
        var ids = new int[count];
        found[..Math.Min(count, found.Length)].CopyTo(ids);
        more?.CopyTo(ids, found.Length);
        return ids;
    }
}
