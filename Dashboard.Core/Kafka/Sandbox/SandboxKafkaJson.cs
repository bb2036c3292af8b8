using System.Globalization;
using System.Text.Json;

namespace Dashboard.Core.Kafka.Sandbox;

/// <summary>Writes Kafka's znode formats exactly as a Kafka 3.x broker and controller do.</summary>
internal static class SandboxKafkaJson
{
    public static byte[] BrokerRegistration(int id, int port, string? rack, DateTimeOffset now)
    {
        var endpoint = $"PLAINTEXT://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var value = new Dictionary<string, object?>
        {
            ["features"] = new Dictionary<string, object>(),
            ["listener_security_protocol_map"] = new Dictionary<string, string> { ["PLAINTEXT"] = "PLAINTEXT" },
            ["endpoints"] = new[] { endpoint },
            ["jmx_port"] = -1,
            ["port"] = port,
            ["host"] = "127.0.0.1",
            ["version"] = 5,
            ["timestamp"] = Millis(now),
        };
        if (rack is not null) value["rack"] = rack;
        return JsonSerializer.SerializeToUtf8Bytes(value);
    }

    public static byte[] Controller(int brokerId, DateTimeOffset now) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["version"] = 2, ["brokerid"] = brokerId, ["timestamp"] = Millis(now), ["kraftControllerEpoch"] = -1 });

    public static byte[] ControllerEpoch(int epoch) => System.Text.Encoding.ASCII.GetBytes(epoch.ToString(CultureInfo.InvariantCulture));

    public static byte[] Topic(IReadOnlyDictionary<int, IReadOnlyList<int>> assignment, string topicId) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["removing_replicas"] = new Dictionary<string, int[]>(),
            ["partitions"] = assignment.ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value),
            ["topic_id"] = topicId,
            ["adding_replicas"] = new Dictionary<string, int[]>(),
            ["version"] = 3,
        });

    public static byte[] PartitionState(int leader, int leaderEpoch, IReadOnlyList<int> isr, int controllerEpoch) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["controller_epoch"] = controllerEpoch,
            ["leader"] = leader,
            ["version"] = 1,
            ["leader_epoch"] = leaderEpoch,
            ["isr"] = isr,
        });

    public static byte[] Config(IReadOnlyDictionary<string, string> config) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["version"] = 1, ["config"] = config });

    public static byte[] ClusterId(string id) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["version"] = "1", ["id"] = id });

    public static byte[] PreferredReplicaElection(IEnumerable<TopicPartition> partitions) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["version"] = 1,
            ["partitions"] = partitions.Select(p => new Dictionary<string, object> { ["topic"] = p.Topic, ["partition"] = p.Partition }).ToList(),
        });

    /// <summary>Kafka's topic ids: 16 random bytes, URL-safe base64 without padding.</summary>
    public static string NewTopicId() =>
        Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
