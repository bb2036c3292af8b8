using System.Diagnostics;
using Dapper;
using Dashboard.Core.History;
using Dashboard.Core.Replicas;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.History;

/// <summary>Cluster leases between replicas on one PostgreSQL database: one holder, fair shares, takeover after expiry, and the epoch fencing a late writer.</summary>
public sealed class ClusterLeaseTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);

    private async Task<HistoryDatabase> NewDatabaseAsync()
    {
        var database = new HistoryDatabase(new HistoryOptions { Provider = "postgres", ConnectionString = await server.CreateDatabaseAsync() });
        database.Migrate();
        return database;
    }

    [Fact]
    public async Task TwoReplicas_EachClusterHeldByOne_TakenOverOnlyAfterExpiry_WithTheEpochRaised()
    {
        var store = new ClusterLeaseStore(await NewDatabaseAsync());
        var duration = TimeSpan.FromSeconds(2);
        string[] clusters = ["c1", "c2", "c3"];

        var a = store.Renew("a", clusters, duration).Held; // alone: its fair share is everything
        var b = store.Renew("b", clusters, duration).Held; // two alive now, but nothing is free yet
        var aAgain = store.Renew("a", clusters, duration); // a holds 3 of a share of 2: lets one go
        var bAgain = store.Renew("b", clusters, duration).Held;

        Assert.Equal(clusters, a.Keys.Order());
        Assert.Empty(b);
        Assert.Equal((2, 2, 1), (aAgain.LiveReplicas, aAgain.FairShare, aAgain.Shed));
        Assert.All(aAgain.Held, h => Assert.Equal(a[h.Key], h.Value)); // a renewal keeps the epoch
        var handedOver = Assert.Single(bAgain);
        Assert.DoesNotContain(handedOver.Key, aAgain.Held.Keys);
        Assert.Equal(a[handedOver.Key] + 1, handedOver.Value);

        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, long> taken;
        do
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "b never took the expired leases");
            await Task.Delay(200);
            taken = store.Renew("b", clusters, duration).Held;
        }
        while (taken.Count < 3);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"taken after {clock.Elapsed.TotalSeconds:F1} s, before the lease expired");
        var kept = aAgain.Held.Keys.First();
        Assert.Equal(a[kept] + 1, taken[kept]);
        Assert.Empty(store.Renew("a", clusters, duration).Held); // a, back from a pause, finds them gone
    }

    [Fact]
    public async Task ThreeReplicasRenewingAtOnce_300Clusters_SpreadEvenly_ThenADeadOnesShareSplitBetweenTheOthers()
    {
        var store = new ClusterLeaseStore(await NewDatabaseAsync());
        // Long enough that a live replica's rounds, slowed by a loaded machine, never let its own row lapse.
        var duration = TimeSpan.FromSeconds(5);
        var clusters = Enumerable.Range(0, 300).Select(i => $"e{i:D3}").ToArray();
        var replicas = new[] { "r1", "r2", "r3" };

        // Rounds as the replicas run them: at the same moment, each on its own connection.
        var rounds = new Dictionary<string, LeaseRound>();
        for (var round = 0; round < 6; round++)
        {
            var results = await Task.WhenAll(replicas.Select(r => Task.Run(() => (r, store.Renew(r, clusters, duration)))));
            foreach (var (r, result) in results) rounds[r] = result;
        }
        AssertEachClusterHeldOnce(clusters, rounds.Values);
        Assert.All(rounds.Values, r => Assert.Equal((3, 100, 100), (r.LiveReplicas, r.FairShare, r.Held.Count)));
        var before = store.List().Where(l => l.ClusterId.StartsWith('e')).ToDictionary(l => l.ClusterId);

        // r3 dies (renews no more): once its lease rows expire, r1 and r2 split its 100 clusters.
        var clock = Stopwatch.StartNew();
        do
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "r3's clusters were never taken");
            await Task.Delay(500);
            var results = await Task.WhenAll(replicas[..2].Select(r => Task.Run(() => (r, store.Renew(r, clusters, duration)))));
            rounds = results.ToDictionary(x => x.r, x => x.Item2);
        }
        while (rounds.Values.Sum(r => r.Held.Count) < 300);
        Assert.True(clock.Elapsed >= duration - TimeSpan.FromSeconds(0.5), $"taken after {clock.Elapsed.TotalSeconds:F1} s, before r3's leases expired");
        AssertEachClusterHeldOnce(clusters, rounds.Values);
        Assert.All(rounds.Values, r => Assert.Equal((2, 150, 150), (r.LiveReplicas, r.FairShare, r.Held.Count)));
        var after = store.List().Where(l => l.ClusterId.StartsWith('e')).ToDictionary(l => l.ClusterId);
        foreach (var (cluster, lease) in before)
            Assert.Equal(lease.Holder == "r3" ? lease.Epoch + 1 : lease.Epoch, after[cluster].Epoch); // only r3's changed hands
    }

    [Fact]
    public async Task AReplicaThatTakesNothing_ItsShareIsTakenByAnotherOnceAbandoned()
    {
        var store = new ClusterLeaseStore(await NewDatabaseAsync());
        var duration = TimeSpan.FromSeconds(1);
        string[] clusters = ["c1", "c2", "c3", "c4"];

        // "quiet" is alive but lists no cluster (a different cluster list): a's fair share is half.
        store.Renew("quiet", [], duration);
        var first = store.Renew("a", clusters, duration);
        Assert.Equal((2, 2, 0), (first.FairShare, first.Held.Count, first.TookAbandoned));

        var clock = Stopwatch.StartNew();
        LeaseRound round;
        do
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the clusters nobody took stayed unpolled");
            await Task.Delay(250);
            store.Renew("quiet", [], duration);
            round = store.Renew("a", clusters, duration);
        }
        while (round.Held.Count < 4);
        // Not before they had been free for two lease periods (they were first seen free at a's first round).
        Assert.True(clock.Elapsed >= duration * 2 - TimeSpan.FromMilliseconds(300), $"taken after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(2, round.TookAbandoned);
        Assert.Equal(2, round.FairShare);
    }

    private static void AssertEachClusterHeldOnce(string[] clusters, IEnumerable<LeaseRound> rounds)
    {
        var held = rounds.SelectMany(r => r.Held.Keys).ToList();
        Assert.Equal(held.Count, held.Distinct().Count()); // no cluster believed held by two replicas
        Assert.Equal(clusters.Order(), held.Order());
    }

    [Fact]
    public async Task HolderThatLostItsLease_WritesAreFenced_NewHoldersLand()
    {
        var database = await NewDatabaseAsync();
        var store = new ClusterLeaseStore(database);
        var old = new ClusterLeases("old", shared: true);
        var next = new ClusterLeases("next", shared: true);
        var duration = TimeSpan.FromSeconds(30);
        old.Renewed(store.Renew("old", ["c"], duration).Held, Stopwatch.GetTimestamp(), duration, T0);
        // The old holder made its write while it held the lease, but it reaches the database late (a long pause).
        var late = old.Fence("c", new EventWrite(new HistoryEvent("c", T0, "node-down", "1", "from the old holder")))!;
        store.Release("old"); // as if expired
        next.Renewed(store.Renew("next", ["c"], duration).Held, Stopwatch.GetTimestamp(), duration, T0);

        await using var writer = new HistoryWriter(database);
        writer.Start();
        writer.Enqueue(late);
        writer.Enqueue(next.Fence("c", new EventWrite(new HistoryEvent("c", T0.AddSeconds(1), "node-up", "1", "from the new holder")))!);
        Assert.True(await writer.FlushAsync());

        Assert.Null(new ClusterLeases("third", shared: true).Fence("c", new EventWrite(new HistoryEvent("c", T0, "x", null, "not held")))); // never queued at all
        var events = await new HistoryReader(database).EventsAsync("c", T0.AddMinutes(-1), T0.AddMinutes(1));
        Assert.Equal(["from the new holder"], events.Select(e => e.Summary));
        Assert.True(FencedWrite.FencedCount >= 1);
        using var connection = database.Open();
        Assert.Equal(2, connection.ExecuteScalar<long>("SELECT epoch FROM cluster_leases WHERE cluster_id = 'c'"));
    }
}
