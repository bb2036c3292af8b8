using System.Diagnostics;
using Dapper;
using Dashboard.Core.History;
using Dashboard.Core.Replicas;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.History;

/// <summary>Cluster leases between replicas on one PostgreSQL database: one holder, takeover after expiry, and the epoch fencing a late writer.</summary>
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

        var a = store.Renew("a", ["c1", "c2"], duration);
        var b = store.Renew("b", ["c1", "c2", "c3"], duration);
        var aAgain = store.Renew("a", ["c1", "c2"], duration);

        Assert.Equal(["c1", "c2"], a.Keys.Order());
        Assert.Equal(["c3"], b.Keys);
        Assert.Equal(a, aAgain); // a renewal keeps the epoch
        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, long> taken;
        do
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "b never took the expired leases");
            await Task.Delay(200);
            taken = store.Renew("b", ["c1", "c2", "c3"], duration);
        }
        while (taken.Count < 3);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"taken after {clock.Elapsed.TotalSeconds:F1} s, before the lease expired");
        Assert.Equal(a["c1"] + 1, taken["c1"]);
        Assert.Empty(store.Renew("a", ["c1", "c2"], duration)); // a, back from a pause, finds them gone
    }

    [Fact]
    public async Task HolderThatLostItsLease_WritesAreFenced_NewHoldersLand()
    {
        var database = await NewDatabaseAsync();
        var store = new ClusterLeaseStore(database);
        var old = new ClusterLeases("old", shared: true);
        var next = new ClusterLeases("next", shared: true);
        var duration = TimeSpan.FromSeconds(30);
        old.Renewed(store.Renew("old", ["c"], duration), Stopwatch.GetTimestamp(), duration, T0);
        // The old holder made its write while it held the lease, but it reaches the database late (a long pause).
        var late = old.Fence("c", new EventWrite(new HistoryEvent("c", T0, "node-down", "1", "from the old holder")))!;
        store.Release("old"); // as if expired
        next.Renewed(store.Renew("next", ["c"], duration), Stopwatch.GetTimestamp(), duration, T0);

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
