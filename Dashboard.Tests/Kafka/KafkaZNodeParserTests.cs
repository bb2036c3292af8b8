using System.Text;
using Dashboard.Core.Kafka;

namespace Dashboard.Tests.Kafka;

/// <summary>Kafka's JSON formats as written by Kafka 2.x-3.x (examples from the layout notes) and malformed variants.</summary>
public sealed class KafkaZNodeParserTests
{
    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void BrokerRegistration_V5_ReadsEveryField()
    {
        var result = KafkaZNodeParser.BrokerRegistration(1, Json("""
            {"version":5,"host":"h1","port":9092,"endpoints":["PLAINTEXT://h1:9092","SSL://h1:9093"],
             "listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","SSL":"SSL"},"jmx_port":9999,
             "timestamp":"1700000000000","rack":"dc1","features":{"metadata.version":{"min_version":1,"max_version":21}}}
            """), czxid: 4242);

        var broker = Assert.IsType<BrokerRegistration>(result.Value);
        Assert.Equal(5, broker.Version);
        Assert.Equal("h1", broker.Host);
        Assert.Equal(9092, broker.Port);
        Assert.Equal(["PLAINTEXT://h1:9092", "SSL://h1:9093"], broker.Endpoints);
        Assert.Equal("SSL", broker.ListenerSecurityProtocols["SSL"]);
        Assert.Equal(9999, broker.JmxPort);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000), broker.Timestamp);
        Assert.Equal("dc1", broker.Rack);
        Assert.Equal(new FeatureRange(1, 21), broker.Features["metadata.version"]);
        Assert.Equal(4242, broker.Epoch);
    }

    [Fact]
    public void BrokerRegistration_V4WithoutPlaintextOrRack_HostNullPortMinusOneNoFeatures()
    {
        var result = KafkaZNodeParser.BrokerRegistration(2, Json("""
            {"version":4,"host":null,"port":-1,"endpoints":["SSL://h2:9093"],"listener_security_protocol_map":{"SSL":"SSL"},"jmx_port":-1,"timestamp":"1700000000001"}
            """), 7);

        var broker = Assert.IsType<BrokerRegistration>(result.Value);
        Assert.Null(broker.Host);
        Assert.Equal(-1, broker.Port);
        Assert.Null(broker.Rack);
        Assert.Empty(broker.Features);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"version\":5,\"host\":", "not JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"version\":6,\"host\":\"h\"}", "unsupported version 6")]
    [InlineData("{\"host\":\"h\"}", "missing \"version\"")]
    [InlineData("{\"version\":5,\"endpoints\":\"PLAINTEXT://h:1\"}", "is not an array")]
    [InlineData("{\"version\":5,\"timestamp\":\"yesterday\"}", "not a timestamp")]
    public void BrokerRegistration_Malformed_FailsWithReasonInsteadOfThrowing(string json, string reason)
    {
        var result = KafkaZNodeParser.BrokerRegistration(1, Json(json), 1);

        Assert.False(result.IsReadable);
        Assert.Null(result.Value);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Controller_V1AndV2_ReadBrokerAndKraftEpoch()
    {
        var v1 = KafkaZNodeParser.Controller(Json("""{"version":1,"brokerid":1,"timestamp":"1700000000000"}""")).Value!;
        var v2 = KafkaZNodeParser.Controller(Json("""{"version":2,"brokerid":3,"timestamp":"1700000000000","kraftControllerEpoch":-1}""")).Value!;

        Assert.Equal((1, 1, (int?)null), (v1.BrokerId, v1.Version, v1.KraftControllerEpoch));
        Assert.Equal((3, 2, (int?)-1), (v2.BrokerId, v2.Version, v2.KraftControllerEpoch));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000), v2.Timestamp);
    }

    [Fact]
    public void Controller_MissingBrokerId_Unreadable() =>
        Assert.Contains("brokerid", KafkaZNodeParser.Controller(Json("""{"version":1}""")).Error, StringComparison.Ordinal);

    [Fact]
    public void ControllerEpoch_PlainInteger_ReadsAndGarbageIsNull()
    {
        Assert.Equal(7, KafkaZNodeParser.ControllerEpoch(Json("7")));
        Assert.Null(KafkaZNodeParser.ControllerEpoch(Json("{\"epoch\":7}")));
    }

    [Fact]
    public void TopicAssignment_V3_ReadsPartitionsReassignmentAndTopicId()
    {
        var topic = KafkaZNodeParser.TopicAssignment("t", Json("""
            {"version":3,"partitions":{"0":[1,2,3],"1":[2,3,1]},"adding_replicas":{"0":[3]},"removing_replicas":{"0":[4]},"topic_id":"Wj8h0Gk9Q7mT0oQ2s3r4Ag"}
            """)).Value!;

        Assert.Equal("Wj8h0Gk9Q7mT0oQ2s3r4Ag", topic.TopicId);
        Assert.Equal([1, 2, 3], topic.Partitions[0]);
        Assert.Equal([2, 3, 1], topic.Partitions[1]);
        Assert.Equal([3], topic.AddingReplicas[0]);
        Assert.Equal([4], topic.RemovingReplicas[0]);
        Assert.True(topic.ReassignmentInProgress);
    }

    [Theory]
    [InlineData("""{"version":1,"partitions":{"0":[1,2]}}""", 1)]
    [InlineData("""{"version":2,"partitions":{"0":[1,2]},"adding_replicas":{},"removing_replicas":{}}""", 2)]
    public void TopicAssignment_OlderVersions_NoTopicIdNoReassignment(string json, int version)
    {
        var topic = KafkaZNodeParser.TopicAssignment("t", Json(json)).Value!;

        Assert.Equal(version, topic.Version);
        Assert.Null(topic.TopicId);
        Assert.False(topic.ReassignmentInProgress);
        Assert.Equal([1, 2], topic.Partitions[0]);
    }

    [Theory]
    [InlineData("""{"version":3,"partitions":{"zero":[1]}}""", "non-numeric partition")]
    [InlineData("""{"version":3,"partitions":{"0":[1,"2"]}}""", "non-integer")]
    [InlineData("""{"version":3}""", "missing \"partitions\"")]
    [InlineData("""{"version":4,"partitions":{}}""", "unsupported version 4")]
    public void TopicAssignment_Malformed_Unreadable(string json, string reason) =>
        Assert.Contains(reason, KafkaZNodeParser.TopicAssignment("t", Json(json)).Error, StringComparison.Ordinal);

    [Fact]
    public void PartitionState_V1_ReadsLeaderEpochIsrAndZkVersion()
    {
        var state = KafkaZNodeParser.PartitionState(Json("""{"version":1,"leader":1,"leader_epoch":12,"controller_epoch":7,"isr":[1,2,3]}"""), 5).Value!;

        Assert.Equal(new PartitionState(1, 12, state.Isr, 7, LeaderRecoveryState.Recovered, 5), state);
        Assert.Equal([1, 2, 3], state.Isr);
        Assert.False(state.IsOffline);
    }

    [Fact]
    public void PartitionState_UnknownFieldsAndNumbersAsStrings_Read()
    {
        var state = KafkaZNodeParser.PartitionState(Json("""{"version":1,"extra":{"a":[1,{"b":2}]},"leader":"2","leader_epoch":0,"controller_epoch":1,"isr":[2]}"""), 0).Value!;

        Assert.Equal(2, state.Leader);
    }

    [Fact]
    public void PartitionState_OfflineAndRecovering_Flagged()
    {
        var state = KafkaZNodeParser.PartitionState(Json("""{"version":1,"leader":-1,"leader_epoch":3,"controller_epoch":2,"isr":[2],"leader_recovery_state":1}"""), 0).Value!;

        Assert.True(state.IsOffline);
        Assert.Equal(LeaderRecoveryState.Recovering, state.RecoveryState);
    }

    [Theory]
    [InlineData("""{"version":1,"leader":1,"leader_epoch":1,"controller_epoch":1}""", "missing \"isr\"")]
    [InlineData("""{"version":1,"leader":"one","leader_epoch":1,"controller_epoch":1,"isr":[1]}""", "not an integer")]
    [InlineData("""{"version":2,"leader":1,"leader_epoch":1,"controller_epoch":1,"isr":[1]}""", "unsupported version 2")]
    [InlineData("""{"version":1,"leader":1,"leader_epoch":1,"controller_epoch":1,"isr":[1],"leader_recovery_state":9}""", "leader_recovery_state 9")]
    [InlineData("""{"version":1,"leader":1,"leader_epoch":1,"controller_epoch":1,"isr":null}""", "\"isr\" is not an array")]
    [InlineData("""{"version":1,"leader":1,"leader_epoch":1,"controller_epoch":1,"isr":[1]} {}""", "not JSON")]
    [InlineData("""{"version":1,"leader":1,"leader_epoch":1,"isr":[1""", "not JSON")]
    [InlineData("""{"version":1,"leader":1,"isr":[1],"controller_epoch":1}""", "missing \"leader_epoch\"")]
    [InlineData("[]", "not a JSON object")]
    public void PartitionState_Malformed_Unreadable(string json, string reason) =>
        Assert.Contains(reason, KafkaZNodeParser.PartitionState(Json(json), 0).Error, StringComparison.Ordinal);

    [Fact]
    public void Config_TopicOverride_ReadsMinInsyncReplicas()
    {
        var config = KafkaZNodeParser.Config(Json("""{"version":1,"config":{"min.insync.replicas":"2","retention.ms":"86400000"}}""")).Value!;

        Assert.Equal(2, config.MinInsyncReplicas);
        Assert.Equal("86400000", config.Values["retention.ms"]);
        Assert.Null(EntityConfig.Empty.MinInsyncReplicas);
    }

    [Fact]
    public void Config_NonStringValue_Unreadable() =>
        Assert.False(KafkaZNodeParser.Config(Json("""{"version":1,"config":{"min.insync.replicas":2}}""")).IsReadable);

    [Fact]
    public void ClusterId_VersionAsString_ReadsId() =>
        Assert.Equal("4L6g3nShT-eMCtK--X86sw", KafkaZNodeParser.ClusterId(Json("""{"version":"1","id":"4L6g3nShT-eMCtK--X86sw"}""")).Value);

    [Fact]
    public void AdminRequests_PreferredElectionAndReassignment_ReadPartitions()
    {
        var election = KafkaZNodeParser.PreferredReplicaElection(Json("""{"version":1,"partitions":[{"topic":"t","partition":0}]}""")).Value!;
        var reassignment = KafkaZNodeParser.Reassignment(Json("""{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}""")).Value!;

        Assert.Equal([new TopicPartition("t", 0)], election);
        var single = Assert.Single(reassignment);
        Assert.Equal(new TopicPartition("t", 0), single.Partition);
        Assert.Equal([1, 2, 3], single.Replicas);
    }

    [Fact]
    public void AdminRequests_PartitionWithoutTopic_Unreadable() =>
        Assert.Contains("topic", KafkaZNodeParser.PreferredReplicaElection(Json("""{"version":1,"partitions":[{"partition":0}]}""")).Error, StringComparison.Ordinal);

    [Fact]
    public void Raw_LargeValue_Truncated()
    {
        var raw = KafkaZNodeParser.Raw(new byte[5000]);
        Assert.Equal(2001, raw.Length);
    }
}
