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

    [Fact]
    public void Observe_FullReadStartedBeforeNewControllerFinishesAfter_DoesNotEndNewTerm()
    {
        var history = new ControllerHistory();
        history.Observe(Controller(1, 1, 100, T0), T0);
        // A full read starts at +10 s and reads /controller while broker 1 still holds it; it takes 80 s.
        var fullReadStart = T0.AddSeconds(10);
        // Meanwhile broker 1 goes at +11 s and broker 2 takes over at +12.2 s; the watch sees both at once.
        history.Observe(null, T0.AddSeconds(11), T0.AddSeconds(11));
        history.Observe(Controller(2, 2, 200, T0.AddMilliseconds(12_200)), T0.AddSeconds(12.3), T0.AddSeconds(12.25));
        // The full read finishes at +91 s, still showing broker 1 (its czxid is older): nothing changes.
        history.Observe(Controller(1, 1, 100, T0), T0.AddSeconds(91), fullReadStart);

        Assert.Equal([1, 2], history.Changes.Select(c => c.BrokerId));
        Assert.Equal(2, history.Current!.BrokerId);
        Assert.Equal(TimeSpan.FromSeconds(1.2), history.Current.GapBefore);
    }

    [Fact]
    public void Observe_FullReadSawNoControllerButStartedBeforeNewTermWasSeen_Ignored()
    {
        var history = new ControllerHistory();
        history.Observe(Controller(1, 1, 100, T0), T0);
        history.Observe(null, T0.AddSeconds(11), T0.AddSeconds(11));
        var fullReadStart = T0.AddSeconds(11.5); // reads /controller during the gap
        history.Observe(Controller(2, 2, 200, T0.AddMilliseconds(12_200)), T0.AddSeconds(12.3), T0.AddSeconds(12.25));
        history.Observe(null, T0.AddSeconds(91), fullReadStart); // finishes long after broker 2 took over

        Assert.Equal(2, history.Current!.BrokerId);
        Assert.Null(history.Current.Ended);
        Assert.Equal(TimeSpan.FromSeconds(1.2), history.Current.GapBefore);
    }

    [Fact]
    public void Observe_NoControllerFromReadStartedAfterTermWasSeen_EndsItAndRaisesEnded()
    {
        var history = new ControllerHistory();
        ControllerChange? ended = null;
        history.Ended += term => ended = term;
        history.Observe(Controller(1, 1, 100, T0), T0);
        history.Observe(null, T0.AddSeconds(5), T0.AddSeconds(4.9));

        Assert.Null(history.Current);
        Assert.Equal((1, T0.AddSeconds(5)), (ended!.BrokerId, ended.Ended));
    }

    [Fact]
    public void Observe_KraftTakeoverInOneTransaction_NoGap()
    {
        var history = new ControllerHistory();
        history.Observe(Controller(1, 7, 100, T0), T0);
        history.Observe(Controller(1, 7, 100, T0), T0.AddSeconds(30)); // last sighting long before the takeover
        var kraft = new KafkaController(3000, 8, 500, T0.AddSeconds(40), new ControllerRegistration(3000, 2, T0.AddSeconds(40), 5), null, Persistent: true);
        history.Observe(kraft, T0.AddSeconds(40.1));

        Assert.Equal(T0.AddSeconds(40), history.Changes[0].Ended);
        Assert.Equal(TimeSpan.Zero, history.Current!.GapBefore);
        Assert.True(history.Current.Kraft);
    }
}
