using System.Text;
using Dashboard.Core.Kafka;

namespace Dashboard.Tests.Kafka;

/// <summary>
/// The streaming topic parser keeps the document parser's rules: which fault is reported when several are present,
/// partitions in any order or named twice, escaped keys, and a map that answers like a dictionary.
/// </summary>
public sealed class TopicAssignmentReaderTests
{
    private static ParseResult<TopicAssignment> Parse(string json) => KafkaZNodeParser.TopicAssignment("t", Encoding.UTF8.GetBytes(json));

    [Theory]
    // The version is checked before the partitions, wherever it stands in the object.
    [InlineData("""{"partitions":{"zero":[1]},"version":9}""", "unsupported version 9")]
    [InlineData("""{"partitions":{"0":[1]},"version":"x"}""", "\"version\" is not an integer")]
    [InlineData("""{"partitions":{"0":[1]}}""", "missing \"version\"")]
    // A syntax error anywhere is "not JSON", even after a fault of Kafka's format.
    [InlineData("""{"version":9,"partitions":{"0":[1]}""", "not JSON")]
    [InlineData("""[1,2""", "not JSON")]
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""{"version":3,"partitions":[1]}""", "\"partitions\" is not an object")]
    [InlineData("""{"version":3,"partitions":null}""", "missing \"partitions\"")]
    [InlineData("""{"version":3,"partitions":{"007":1}}""", "\"partitions\".007 is not an array")]
    [InlineData("""{"version":3,"partitions":{"-1":[1]}}""", "non-numeric partition \"-1\"")]
    [InlineData("""{"version":3,"partitions":{"0":[1]},"adding_replicas":{"0":[1.5]}}""", "\"adding_replicas\".0 holds a non-integer")]
    [InlineData("""{"version":3,"partitions":{"0":[1]},"topic_id":7}""", "\"topic_id\" is not a string")]
    public void Malformed_SameReasonAsTheDocumentParser(string json, string reason) =>
        Assert.Contains(reason, Parse(json).Error, StringComparison.Ordinal);

    [Fact]
    public void PartitionsOutOfOrderAndRepeated_LastWinsAndEnumeratesInOrder()
    {
        var topic = Parse("""{"version":1,"partitions":{"2":[3],"0":[1,2],"2":[4,5],"1":[2]}}""").Value!;

        Assert.Equal([0, 1, 2], topic.Partitions.Keys);
        Assert.Equal([4, 5], topic.Partitions[2]);
        Assert.Equal(3, topic.Partitions.Count);
    }

    [Fact]
    public void SparseAndEscapedKeys_LookUpLikeADictionary()
    {
        var topic = Parse("""{"version":2,"partitions":{"\u0031":[1],"5":[2,3]},"adding_replicas":{"5":[3]},"removing_replicas":null}""").Value!;

        Assert.Equal([1], topic.Partitions[1]);
        Assert.True(topic.Partitions.TryGetValue(5, out var five));
        Assert.Equal([2, 3], five);
        Assert.False(topic.Partitions.ContainsKey(0));
        Assert.False(topic.Partitions.ContainsKey(2));
        Assert.Throws<KeyNotFoundException>(() => topic.Partitions[4]);
        Assert.Equal([3], topic.AddingReplicas[5]);
        Assert.Empty(topic.RemovingReplicas);
        Assert.True(topic.ReassignmentInProgress);
    }

    [Fact]
    public void ManyReplicasAndUnknownFields_ReadWhole()
    {
        var replicas = Enumerable.Range(1, 40).ToArray();
        var topic = Parse($$"""{"extra":{"a":[1,{"b":2}]},"version":3,"partitions":{"0":[{{string.Join(',', replicas)}}]},"topic_id":"abc"}""").Value!;

        Assert.Equal(replicas, topic.Partitions[0]);
        Assert.Equal("abc", topic.TopicId);
        Assert.False(topic.ReassignmentInProgress);
    }

    [Fact]
    public void PartitionState_LongIsr_ReadWhole()
    {
        var isr = Enumerable.Range(1, 20).ToArray();
        var state = KafkaZNodeParser.PartitionState(Encoding.UTF8.GetBytes(
            $$"""{"version":1,"leader":1,"leader_epoch":2,"controller_epoch":3,"isr":[{{string.Join(',', isr)}}]}"""), 4).Value!;

        Assert.Equal(isr, state.Isr);
    }

    [Fact]
    public void SharedLists_EqualListsAreOneArray_DifferentOnesStayApart()
    {
        var pool = new ReplicaListPool(capacity: 3);
        var a = KafkaZNodeParser.TopicAssignment("a", Encoding.UTF8.GetBytes("""{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1]}}"""), pool).Value!;
        var b = KafkaZNodeParser.TopicAssignment("b", Encoding.UTF8.GetBytes("""{"version":1,"partitions":{"0":[1,2,3]}}"""), pool).Value!;
        var state = KafkaZNodeParser.TryPartitionState("""{"version":1,"leader":2,"leader_epoch":1,"controller_epoch":1,"isr":[2,3,1]}"""u8, 0, out var error, pool)!;

        Assert.Null(error);
        Assert.Same(a.Partitions[0], b.Partitions[0]);
        Assert.Same(a.Partitions[1], state.Isr);
        Assert.NotSame(a.Partitions[0], a.Partitions[1]);
        Assert.Equal([2, 3, 1], state.Isr);
        // Full: cleared, and still correct (only sharing is lost).
        var more = KafkaZNodeParser.TopicAssignment("c", Encoding.UTF8.GetBytes("""{"version":1,"partitions":{"0":[4],"1":[5],"2":[1,2,3]}}"""), pool).Value!;
        Assert.Equal([1, 2, 3], more.Partitions[2]);
    }
}
