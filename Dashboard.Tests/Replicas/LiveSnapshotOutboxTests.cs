using Dashboard.Core.Ensemble;
using Dashboard.Core.Replicas;

namespace Dashboard.Tests.Replicas;

/// <summary>The holder's unpublished snapshots: newest only per cluster, however long the database keeps them waiting.</summary>
public sealed class LiveSnapshotOutboxTests
{
    private static EnsembleSnapshot Snapshot(string cluster, int second)
    {
        NodeStatus[] nodes = [new("10.0.0.1", 2181, NodeRole.Leader) { Id = 1 }];
        return new EnsembleSnapshot(cluster, DateTimeOffset.UnixEpoch.AddSeconds(second), TimeSpan.FromMilliseconds(3), [.. nodes], QuorumAnalysis.Analyze(nodes), []);
    }

    [Fact]
    public void ManyPollsUnpublished_KeepOnePerCluster_TheNewest()
    {
        var outbox = new LiveSnapshotOutbox();
        for (var second = 0; second < 1000; second++)
            foreach (var cluster in new[] { "a", "b", "c" }) outbox.Offer(Snapshot(cluster, second));

        Assert.Equal(3, outbox.Count);
        var taken = outbox.TakeAll();
        Assert.Equal(["a", "b", "c"], taken.Select(s => s.ClusterId).Order());
        Assert.All(taken, s => Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(999), s.TakenAt));
        Assert.Equal(0, outbox.Count);
    }

    [Fact]
    public void FailedPublishPutBack_DoesNotReplaceANewerPoll()
    {
        var outbox = new LiveSnapshotOutbox();
        outbox.Offer(Snapshot("a", 1));
        var failed = outbox.TakeAll();
        outbox.Offer(Snapshot("a", 2)); // polled while the publish was failing
        foreach (var snapshot in failed) outbox.Offer(snapshot);

        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(2), Assert.Single(outbox.TakeAll()).TakenAt);
    }
}
