using System.Globalization;

namespace Dashboard.Tests.Kafka.Fixtures;

/// <summary>
/// Kafka's znode values, written out as Kafka 2.x and 3.9 write them (<c>core/src/main/scala/kafka/zk/ZkData.scala</c>):
/// field names, nesting and the quirks (timestamps and some versions as strings, -1 for "none"). Literal JSON on
/// purpose: these must not go through our own serializer or parser.
/// </summary>
public static class KafkaFormats
{
    private static string I(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string List(IEnumerable<int> ids) => "[" + string.Join(",", ids.Select(I)) + "]";

    /// <summary>Broker v4 (inter.broker.protocol 0.10.0 - 2.6): no features.</summary>
    public static string BrokerV4(int id, string? rack = null) =>
        $$"""{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://broker{{I(id)}}:9092"],{{(rack is null ? "" : $"\"rack\":\"{rack}\",")}}"jmx_port":-1,"host":"broker{{I(id)}}","timestamp":"1700000000000","port":9092,"version":4}""";

    /// <summary>Broker v5 (2.7+, as 3.9 writes it in ZooKeeper mode).</summary>
    public static string BrokerV5(int id) =>
        $$"""{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","SSL":"SSL"},"endpoints":["PLAINTEXT://broker{{I(id)}}:9092","SSL://broker{{I(id)}}:9093"],"jmx_port":9999,"host":"broker{{I(id)}}","timestamp":"1700000000000","port":9092,"version":5}""";

    /// <summary>Topic v1 (before 2.4): partitions only.</summary>
    public static string TopicV1(params int[][] replicas) =>
        "{\"version\":1,\"partitions\":{" + Partitions(replicas) + "}}";

    /// <summary>Topic v2 (2.4-2.7): adding/removing replicas always present (empty maps when no reassignment).</summary>
    public static string TopicV2(int[][] replicas, Dictionary<int, int[]>? adding = null, Dictionary<int, int[]>? removing = null) =>
        "{\"version\":2,\"partitions\":{" + Partitions(replicas) + "},\"adding_replicas\":{" + Map(adding) + "},\"removing_replicas\":{" + Map(removing) + "}}";

    /// <summary>Topic v3 (2.8+, 3.9): with the topic id.</summary>
    public static string TopicV3(int[][] replicas, Dictionary<int, int[]>? adding = null, Dictionary<int, int[]>? removing = null, string topicId = "Wj8h0Gk9Q7mT0oQ2s3r4Ag") =>
        $$"""{"partitions":{{{Partitions(replicas)}}},"topic_id":"{{topicId}}","adding_replicas":{{{Map(adding)}}},"removing_replicas":{{{Map(removing)}}},"version":3}""";

    /// <summary>Partition state (v1); <c>leader_recovery_state</c> only when RECOVERING (1), as 3.2+ writes it.</summary>
    public static string State(int leader, int[] isr, int leaderEpoch = 3, int controllerEpoch = 7, bool recovering = false) =>
        recovering
            ? $$"""{"controller_epoch":{{I(controllerEpoch)}},"leader":{{I(leader)}},"leader_recovery_state":1,"version":1,"leader_epoch":{{I(leaderEpoch)}},"isr":{{List(isr)}}}"""
            : $$"""{"controller_epoch":{{I(controllerEpoch)}},"leader":{{I(leader)}},"version":1,"leader_epoch":{{I(leaderEpoch)}},"isr":{{List(isr)}}}""";

    /// <summary>/controller v1 (up to 3.3).</summary>
    public static string ControllerV1(int brokerId) => $$"""{"version":1,"brokerid":{{I(brokerId)}},"timestamp":"1700000000000"}""";

    /// <summary>/controller v2 (3.4+): kraftControllerEpoch -1 for a ZooKeeper controller, >= 0 for a KRaft one.</summary>
    public static string ControllerV2(int brokerId, int kraftControllerEpoch = -1) =>
        $$"""{"version":2,"brokerid":{{I(brokerId)}},"timestamp":"1700000000000","kraftControllerEpoch":{{I(kraftControllerEpoch)}}}""";

    /// <summary>/migration (3.4+), created with -1 everywhere.</summary>
    public static string Migration(int controllerId = -1, int controllerEpoch = -1, long offset = -1, int metadataEpoch = -1) =>
        $$"""{"version":0,"kraft_controller_id":{{I(controllerId)}},"kraft_controller_epoch":{{I(controllerEpoch)}},"kraft_metadata_offset":{{offset.ToString(CultureInfo.InvariantCulture)}},"kraft_metadata_epoch":{{I(metadataEpoch)}}}""";

    public static string Config(params (string Key, string Value)[] values) =>
        "{\"version\":1,\"config\":{" + string.Join(",", values.Select(v => $"\"{v.Key}\":\"{v.Value}\"")) + "}}";

    public static string PreferredElection(params (string Topic, int Partition)[] partitions) =>
        $$"""{"version":1,"partitions":[{{string.Join(",", partitions.Select(p => $"{{\"topic\":\"{p.Topic}\",\"partition\":{I(p.Partition)}}}"))}}]}""";

    public static string Reassignment(params (string Topic, int Partition, int[] Replicas)[] partitions) =>
        $$"""{"version":1,"partitions":[{{string.Join(",", partitions.Select(p => $"{{\"topic\":\"{p.Topic}\",\"partition\":{I(p.Partition)},\"replicas\":{List(p.Replicas)}}}"))}}]}""";

    public const string ClusterId = """{"version":"1","id":"4L6g3nShT-eMCtK--X86sw"}""";

    private static string Partitions(int[][] replicas) => string.Join(",", replicas.Select((r, i) => $"\"{I(i)}\":{List(r)}"));

    private static string Map(Dictionary<int, int[]>? map) => map is null ? "" : string.Join(",", map.Select(kv => $"\"{I(kv.Key)}\":{List(kv.Value)}"));
}
