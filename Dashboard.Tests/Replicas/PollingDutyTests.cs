using System.Diagnostics;
using Dashboard.Core.Replicas;

namespace Dashboard.Tests.Replicas;

/// <summary>Who polls a cluster: one dashboard every one; a replica only those it holds, unless it is cut off from the database.</summary>
public sealed class PollingDutyTests
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(6);

    private sealed class TestTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void OneDashboard_PollsEveryCluster()
    {
        var duty = new PollingDuty(new ClusterLeases("solo", shared: false), LeaseDuration, new TestTime());
        Assert.True(duty.Polls("a"));
        Assert.False(duty.CutOff);
    }

    [Fact]
    public void Replica_PollsOnlyWhatItHolds_WhileItsLeaseRoundsSucceed()
    {
        var time = new TestTime();
        var leases = new ClusterLeases("r1", shared: true);
        var duty = new PollingDuty(leases, LeaseDuration, time);
        Assert.False(duty.Polls("a")); // before the first lease round: nobody's yet, and not cut off

        leases.Renewed(new Dictionary<string, long> { ["a"] = 3 }, Stopwatch.GetTimestamp(), LeaseDuration, time.Now);
        Assert.True(duty.Polls("a"));
        Assert.False(duty.Polls("b"));
        Assert.Equal(3, leases.EpochOf("a"));
        Assert.Null(leases.EpochOf("b"));
    }

    [Fact]
    public void ReplicaCutOffFromTheDatabase_PollsEveryClusterAgain_UntilARoundSucceeds()
    {
        var time = new TestTime();
        var leases = new ClusterLeases("r1", shared: true);
        var duty = new PollingDuty(leases, LeaseDuration, time);
        leases.Renewed(new Dictionary<string, long>(), Stopwatch.GetTimestamp(), LeaseDuration, time.Now);

        time.Now += LeaseDuration - TimeSpan.FromSeconds(1);
        Assert.False(duty.Polls("b"));
        time.Now += TimeSpan.FromSeconds(2); // no round succeeded for longer than a lease
        Assert.True(duty.CutOff);
        Assert.True(duty.Polls("b"));

        leases.Renewed(new Dictionary<string, long>(), Stopwatch.GetTimestamp(), LeaseDuration, time.Now);
        Assert.False(duty.Polls("b"));
    }

    [Fact]
    public void ReplicaThatNeverReachedTheDatabase_PollsEveryClusterAfterALease()
    {
        var time = new TestTime();
        var duty = new PollingDuty(new ClusterLeases("r1", shared: true), LeaseDuration, time);
        time.Now += LeaseDuration + TimeSpan.FromSeconds(1);
        Assert.True(duty.Polls("a"));
    }

    [Fact]
    public void HolderThatPublishesNothing_PolledHereAfterThreeIntervalsAndSome_UntilItPublishesAgain()
    {
        var time = new TestTime();
        var leases = new ClusterLeases("r1", shared: true);
        var duty = new PollingDuty(leases, LeaseDuration, time);
        var interval = TimeSpan.FromSeconds(2);
        Assert.Equal(TimeSpan.FromSeconds(8), PollingDuty.SilentAfter(interval));

        // Lease rounds succeed all along (never cut off); "a" is another replica's.
        void Round(TimeSpan step)
        {
            time.Now += step;
            leases.Renewed(new Dictionary<string, long>(), Stopwatch.GetTimestamp(), LeaseDuration, time.Now);
        }
        Round(TimeSpan.FromSeconds(7));
        Assert.Equal(PollReason.None, duty.Why("a", interval)); // counted from this replica's start
        Round(TimeSpan.FromSeconds(2));
        Assert.Equal(PollReason.HolderSilent, duty.Why("a", interval));
        Assert.False(duty.Polls("a")); // not a poll it must make: the holder's rows still count when they come

        duty.HolderPublished("a");
        Assert.Equal(PollReason.None, duty.Why("a", interval));
        Round(TimeSpan.FromSeconds(8));
        Assert.Equal(PollReason.None, duty.Why("a", interval));
        Round(TimeSpan.FromSeconds(1));
        Assert.Equal(PollReason.HolderSilent, duty.Why("a", interval));
    }

    [Fact]
    public void ClusterThisReplicaJustLetGo_NotSilentBeforeTheNewHolderHadTimeToPublish()
    {
        var time = new TestTime();
        var leases = new ClusterLeases("r1", shared: true);
        var duty = new PollingDuty(leases, LeaseDuration, time);
        var interval = TimeSpan.FromSeconds(2);
        time.Now += TimeSpan.FromMinutes(5);
        leases.Renewed(new Dictionary<string, long> { ["a"] = 1 }, Stopwatch.GetTimestamp(), LeaseDuration, time.Now);
        Assert.Equal(PollReason.Holder, duty.Why("a", interval));

        time.Now += TimeSpan.FromSeconds(2);
        leases.Renewed(new Dictionary<string, long>(), Stopwatch.GetTimestamp(), LeaseDuration, time.Now); // shed
        Assert.Equal(PollReason.None, duty.Why("a", interval));
        time.Now += TimeSpan.FromSeconds(9);
        leases.Renewed(new Dictionary<string, long>(), Stopwatch.GetTimestamp(), LeaseDuration, time.Now);
        Assert.Equal(PollReason.HolderSilent, duty.Why("a", interval)); // and the new holder never published
    }
}
