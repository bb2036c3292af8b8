using Dashboard.Core.Kafka;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Maintenance.Kafka;

namespace Dashboard.Tests.Maintenance.Kafka;

/// <summary>Strimzi's rule on hand-made partition tables.</summary>
public sealed class BrokerRestartRuleTests
{
    private static PartitionReplicas P(string topic, int[] replicas, int[]? isr, int minIsr, int partition = 0) =>
        new(new TopicPartition(topic, partition), replicas, isr, minIsr);

    public static TheoryData<string, int[], int[]?, int, bool> Table => new()
    {
        // case, replicas, ISR, minISR, broker 1 restartable
        { "RF=3 full ISR, minISR 2", [1, 2, 3], [1, 2, 3], 2, true },
        { "ISR == minISR, broker in ISR", [1, 2, 3], [1, 2], 2, false },
        { "ISR == minISR, broker out of ISR", [1, 2, 3], [2, 3], 2, true },
        { "ISR < minISR", [1, 2, 3], [2], 2, false },
        { "ISR < minISR, broker in it", [1, 2, 3], [1], 2, false },
        { "RF=1 ignored", [1], [1], 1, true },
        { "RF=1 offline ignored", [1], [], 1, true },
        { "RF == minISR ignored", [1, 2], [1], 2, true },
        { "RF=3 minISR 1, ISR only the broker", [1, 2, 3], [1], 1, false },
        { "RF=3 minISR 1, ISR two", [1, 2, 3], [1, 2], 1, true },
        { "missing state counts as empty ISR", [1, 2, 3], null, 2, false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Judge_PartitionTable_MatchesStrimzi(string name, int[] replicas, int[]? isr, int minIsr, bool restartable)
    {
        var checks = BrokerRestartRule.Judge(1, [P("t", replicas, isr, minIsr)]);

        Assert.Equal(restartable, checks.All(c => c.Passed));
        Assert.All(checks, c => Assert.Equal(BrokerRestartRule.Rule, c.Rule));
        if (!restartable)
        {
            var refusal = Assert.Single(checks);
            Assert.Equal("t-0", refusal.Subject);
            Assert.Contains("min.insync.replicas " + minIsr, refusal.Detail, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(refusal.ToPass), name);
        }
    }

    [Fact]
    public void Judge_PartitionsWithoutTheBroker_AreNotJudged()
    {
        var checks = BrokerRestartRule.Judge(1, [P("other", [2, 3, 4], [2], 2)]);

        Assert.True(Assert.Single(checks).Passed);
        Assert.Contains("0 partition(s)", checks[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_SeveralBlockingPartitions_NamesEachWithWhatWouldMakeItPass()
    {
        var checks = BrokerRestartRule.Judge(2,
        [
            P("orders", [1, 2, 3], [2, 3], 2, partition: 4),
            P("orders", [2, 3, 1], [2, 1], 2, partition: 5),
            P("logs", [2], [2], 1),
        ]);

        Assert.Equal(["orders-4", "orders-5"], checks.Select(c => c.Subject));
        Assert.All(checks, c => Assert.False(c.Passed));
        Assert.Contains("replicas 1 of orders-4 are back in sync", checks[0].ToPass, StringComparison.Ordinal);
        Assert.Contains("replicas 3 of orders-5", checks[1].ToPass, StringComparison.Ordinal);
        Assert.Contains("drops it below min ISR", checks[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_OnlyIgnoredPartitions_PassesAndSaysHowManyWereIgnored()
    {
        var checks = BrokerRestartRule.Judge(1, [P("a", [1], [1], 1), P("b", [1, 2], [1, 2], 2)]);

        Assert.True(Assert.Single(checks).Passed);
        Assert.Contains("2 with replicas <= min ISR ignored", checks[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void NoneUnderReplicated_OneShort_NamesThePartitionAndTheMissingReplica()
    {
        var checks = BrokerRestartRule.NoneUnderReplicated([P("a", [1, 2, 3], [1, 2, 3], 2), P("b", [1, 2, 3], [1, 3], 2, partition: 7)]);

        var refusal = Assert.Single(checks);
        Assert.False(refusal.Passed);
        Assert.Equal(BrokerRestartRule.UnderReplicated, refusal.Rule);
        Assert.Equal("b-7", refusal.Subject);
        Assert.Contains("bring replicas 2 of b-7 back in sync", refusal.ToPass, StringComparison.Ordinal);
    }

    [Fact]
    public void NoneUnderReplicated_ManyShort_ShowsTenAndCountsTheRest()
    {
        var table = Enumerable.Range(0, 25).Select(i => P("x", [1, 2], [1], 1, partition: i)).ToList();

        var checks = BrokerRestartRule.NoneUnderReplicated(table);

        Assert.Equal(11, checks.Length);
        Assert.Contains("and 15 more", checks[^1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void NoneUnderReplicated_AllInSync_Passes() =>
        Assert.True(Assert.Single(BrokerRestartRule.NoneUnderReplicated([P("a", [1, 2], [2, 1], 1)])).Passed);
}
