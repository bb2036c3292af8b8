using System.Text;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Dashboard.Znodes;

namespace Dashboard.Tests.Znodes;

/// <summary>Classification and rendering rules for znode data, names, patterns and Kafka cards (no server needed).</summary>
public sealed class ZnodeContentTests
{
    [Theory]
    [InlineData("{\"a\":1}", DataView.Json)]
    [InlineData("[1,2]", DataView.Json)]
    [InlineData("{not json", DataView.Text)]
    [InlineData("7", DataView.Text)]
    [InlineData("", DataView.Text)]
    public void Inspect_Utf8Data_DetectsJsonOrText(string text, DataView expected) =>
        Assert.Equal(expected, ZnodeContent.Inspect(Encoding.UTF8.GetBytes(text)).Detected);

    [Fact]
    public void Inspect_InvalidUtf8OrControlCharacters_IsBinary()
    {
        Assert.Equal(DataView.Hex, ZnodeContent.Inspect(new byte[] { 0xc3, 0x28 }).Detected);
        Assert.False(ZnodeContent.Inspect(new byte[] { 0xc3, 0x28 }).IsUtf8);
        Assert.Equal(DataView.Hex, ZnodeContent.Inspect("a\u0000b"u8).Detected);
        Assert.True(ZnodeContent.Inspect("a\u0000b"u8).IsUtf8);
    }

    [Fact]
    public void HexDump_SeventeenBytes_TwoLinesWithAsciiColumn()
    {
        var dump = ZnodeContent.HexDump(Encoding.ASCII.GetBytes("ABCDEFGHIJKLMNOPQ"));
        var lines = dump.TrimEnd('\n').Split('\n');

        Assert.Equal(2, lines.Length);
        Assert.Equal("00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|", lines[0]);
        Assert.StartsWith("00000010  51 ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("|Q|", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void PreviewText_LargeValue_BoundedAndDirectionMarksVisible()
    {
        var large = new byte[ZnodeContent.PreviewBytes * 2];
        Array.Fill(large, (byte)'a');

        Assert.Equal(ZnodeContent.PreviewBytes, ZnodeContent.PreviewText(large).Length);
        Assert.True(ZnodeContent.IsTruncated(large.Length));
        Assert.Equal("a⟨U+202E⟩b\nc", ZnodeContent.PreviewText(Encoding.UTF8.GetBytes("a\u202Eb\nc")));
        Assert.Equal("x⟨U+000A⟩y", Visible.Text("x\ny"));
    }

    [Fact]
    public void Zxid_SplitsEpochAndCounter()
    {
        var zxid = new Zxid(0x0000000500000010);

        Assert.Equal((5, 16u, "0x500000010"), (zxid.Epoch, zxid.Counter, zxid.Hex));
    }

    [Theory]
    [InlineData("target-*", "/a/b/target-1", true)]
    [InlineData("target", "/a/my-target-x", true)]
    [InlineData("/a/*/c", "/a/b/c", true)]
    [InlineData("/a/*/c", "/a/b/x/c", false)]
    [InlineData("/a/**/c", "/a/b/x/c", true)]
    [InlineData("t?t", "/tat", true)]
    public void PathPattern_MatchesNamesOrPaths(string pattern, string path, bool expected) =>
        Assert.Equal(expected, SubtreeWalker.PathPattern(pattern)(path));

    [Fact]
    public void KafkaCards_PartitionStateTopicAndController_ReadFromTheirPaths()
    {
        var stat = new NodeStat(1, 2, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 4, 0, 0, 0, 10, 0, 1);

        var state = Assert.IsType<PartitionStateCard>(KafkaZnodeCards.TryRead("/brokers/topics/t/partitions/3/state",
            "{\"version\":1,\"leader\":-1,\"leader_epoch\":12,\"controller_epoch\":7,\"isr\":[2]}"u8, stat));
        var topic = Assert.IsType<TopicCard>(KafkaZnodeCards.TryRead("/brokers/topics/t",
            "{\"version\":3,\"partitions\":{\"1\":[2,3,1],\"0\":[1,2,3]},\"adding_replicas\":{\"0\":[3]},\"removing_replicas\":{},\"topic_id\":\"Wj8h\"}"u8, stat));
        var controller = Assert.IsType<ControllerCard>(KafkaZnodeCards.TryRead("/controller", "{\"version\":2,\"brokerid\":1,\"timestamp\":\"1700000000000\",\"kraftControllerEpoch\":-1}"u8, stat));

        Assert.True(state.Offline);
        Assert.Equal(("t", 3, 4), (state.Topic, state.Partition, state.ZkVersion));
        Assert.Equal([2], state.Isr);
        Assert.Equal([0, 1], topic.Partitions.Select(p => p.Partition));
        Assert.Equal(1, topic.Partitions[0].PreferredLeader);
        Assert.True(topic.Reassigning);
        // -1 is what Kafka writes for a ZooKeeper-elected controller: not a KRaft epoch.
        Assert.Equal((1, (long?)null, false), (controller.BrokerId, controller.KraftControllerEpoch, controller.KraftController));
        Assert.Null(state.LeaderRecoveryState);
        Assert.Null(KafkaZnodeCards.TryRead("/controller", "{\"brokerid\":\"x\"}"u8, stat));
        Assert.Null(KafkaZnodeCards.TryRead("/brokers/ids/1", "not json"u8, stat));
    }

    [Fact]
    public void KafkaCards_UnderAChroot_OnlyThere_OrOneLevelDownWhenUnknown()
    {
        var stat = new NodeStat(1, 2, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 4, 0, 0, 0, 10, 0, 1);
        var json = "{\"version\":1,\"leader\":2,\"leader_epoch\":1,\"controller_epoch\":1,\"isr\":[2],\"leader_recovery_state\":0}"u8;

        var underKafka = Assert.IsType<PartitionStateCard>(KafkaZnodeCards.TryRead("/kafka/brokers/topics/t/partitions/0/state", json, stat, "/kafka"));
        var detected = KafkaZnodeCards.TryRead("/kafka/brokers/topics/t/partitions/0/state", json, stat, chroot: null);

        Assert.Equal(("t", "recovered"), (underKafka.Topic, underKafka.LeaderRecoveryText));
        Assert.IsType<PartitionStateCard>(detected);
        Assert.Null(KafkaZnodeCards.TryRead("/other/brokers/topics/t/partitions/0/state", json, stat, "/kafka"));
        Assert.Null(KafkaZnodeCards.TryRead("/kafka/brokers/topics/t/partitions/0/state", json, stat, ""));
        Assert.Null(KafkaZnodeCards.TryRead("/a/b/brokers/topics/t/partitions/0/state", json, stat, chroot: null));
    }

    [Fact]
    public void Acls_TextForm_RoundTripsAndRejectsBadLetters()
    {
        var parsed = ZnodeAcls.Parse("world:anyone:cdrwa\ndigest:user:hash=:r");

        Assert.Equal(Permissions.All, parsed[0].Permissions);
        Assert.Equal(("digest", "user:hash=", Permissions.Read), (parsed[1].Scheme, parsed[1].Id, parsed[1].Permissions));
        Assert.Equal("world:anyone:cdrwa\ndigest:user:hash=:r", ZnodeAcls.Format(parsed));
        Assert.Throws<ArgumentException>(() => ZnodeAcls.Parse("world:anyone:x"));
        Assert.Throws<ArgumentException>(() => ZnodeAcls.Parse(""));
    }
}
