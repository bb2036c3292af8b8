using Dashboard.Core.Kafka;

namespace Dashboard.Tests.Kafka;

public sealed class ControllerHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static KafkaController Controller(int broker, int epoch, long czxid, DateTimeOffset created) =>
        new(broker, epoch, czxid, created, null, null);

    [Fact]
    public void Observe_SameTermTwice_RecordedOnce()
    {
        var history = new ControllerHistory();
        history.Observe(Controller(1, 1, 100, T0), T0);
        history.Observe(Controller(1, 1, 100, T0), T0.AddSeconds(30));

        var only = Assert.Single(history.Changes);
        Assert.Equal(only, history.Current);
        Assert.Null(only.GapBefore);
    }

    [Fact]
    public void Observe_DeletionThenNewController_EndsOldAndRecordsGap()
    {
        var history = new ControllerHistory();
        history.Observe(Controller(1, 1, 100, T0), T0);
        history.Observe(null, T0.AddSeconds(10));
        history.Observe(Controller(2, 2, 200, T0.AddSeconds(12)), T0.AddSeconds(12.5));

        Assert.Equal(2, history.Changes.Count);
        Assert.Equal(T0.AddSeconds(10), history.Changes[0].Ended);
        Assert.Equal(TimeSpan.FromSeconds(2), history.Changes[1].GapBefore);
        Assert.Equal(2, history.Current!.BrokerId);
        Assert.Equal(0, history.Current.MissedElectionsBefore);
    }

    [Fact]
    public void Observe_NewControllerWithoutSeenDeletion_OldEndsAtNewStartGapBoundedByLastSighting()
    {
        var history = new ControllerHistory();
        history.Observe(Controller(1, 1, 100, T0), T0);
        history.Observe(Controller(1, 1, 100, T0), T0.AddSeconds(3)); // still there at +3 s
        history.Observe(Controller(3, 4, 300, T0.AddSeconds(5)), T0.AddSeconds(9));

        Assert.Equal(T0.AddSeconds(5), history.Changes[0].Ended);
        // Without a controller at most from the last read that showed the old one (+3 s) to the new one's start (+5 s).
        Assert.Equal(TimeSpan.FromSeconds(2), history.Changes[1].GapBefore);
        Assert.Equal(2, history.Changes[1].MissedElectionsBefore); // epochs 2 and 3 came and went unseen
    }

    [Fact]
    public void Observe_StaleReadOfEndedTerm_Ignored()
    {
        var history = new ControllerHistory();
        history.Observe(Controller(1, 1, 100, T0), T0);
        history.Observe(null, T0.AddSeconds(1));
        history.Observe(Controller(1, 1, 100, T0), T0.AddSeconds(2));

        Assert.Single(history.Changes);
        Assert.Null(history.Current);
    }

    [Fact]
    public void Observe_MoreTermsThanCapacity_KeepsNewest()
    {
        var history = new ControllerHistory(capacity: 3);
        for (var i = 1; i <= 5; i++) history.Observe(Controller(i, i, i * 100, T0.AddSeconds(i)), T0.AddSeconds(i));

        Assert.Equal([3, 4, 5], history.Changes.Select(c => c.BrokerId));
    }
}
