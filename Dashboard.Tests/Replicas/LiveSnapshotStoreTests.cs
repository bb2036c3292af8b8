using Dapper;
using Dashboard.Core.History;
using Dashboard.Core.Replicas;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Replicas;

/// <summary>
/// The shared live snapshots on a real PostgreSQL: a holder's publish lands and is read by the others, a holder
/// that lost its lease publishes nothing over the new holder's row, rows of clusters nobody holds are pruned, and
/// the table is unlogged. Lease rows are written here as a takeover leaves them (holder and epoch).
/// </summary>
public sealed class LiveSnapshotStoreTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private async Task<HistoryDatabase> NewDatabaseAsync()
    {
        var database = new HistoryDatabase(new HistoryOptions { Provider = "postgres", ConnectionString = await server.CreateDatabaseAsync() });
        database.Migrate();
        return database;
    }

    private static void Lease(HistoryDatabase database, string cluster, string holder, long epoch, TimeSpan expiresIn)
    {
        using var connection = database.Open();
        connection.Execute(
            """
            INSERT INTO cluster_leases (cluster_id, holder, epoch, expires_ms, acquired_ms) VALUES (@Cluster, @Holder, @Epoch, @Expires, @Now)
            ON CONFLICT (cluster_id) DO UPDATE SET holder = EXCLUDED.holder, epoch = EXCLUDED.epoch, expires_ms = EXCLUDED.expires_ms, acquired_ms = EXCLUDED.acquired_ms
            """,
            new { Cluster = cluster, Holder = holder, Epoch = epoch, Expires = DateTimeOffset.UtcNow.Add(expiresIn).ToUnixTimeMilliseconds(), Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
    }

    [Fact]
    public async Task HolderPublishes_AllClustersInOneStatement_OthersReadOnlyWhatIsNewer_NeverTheirOwn()
    {
        var database = await NewDatabaseAsync();
        var store = new LiveSnapshotStore(database);
        Lease(database, "c1", "a", 1, TimeSpan.FromMinutes(1));
        Lease(database, "c2", "a", 4, TimeSpan.FromMinutes(1));
        Lease(database, "c3", "b", 2, TimeSpan.FromMinutes(1));

        Assert.Equal(2, store.Publish("a", [new("c1", 1, 1000, "{\"n\":1}"), new("c2", 4, 1000, "{\"n\":2}")]));
        Assert.Equal(1, store.Publish("b", [new("c3", 2, 1000, "{\"n\":3}")]));

        var seenByB = store.ReadSince(0, "b");
        Assert.Equal(["c1", "c2"], seenByB.Select(r => r.ClusterId).Order());
        Assert.All(seenByB, r => Assert.Equal("a", r.Holder));
        Assert.Equal("{\"n\":2}", seenByB.Single(r => r.ClusterId == "c2").Json);
        Assert.Equal(4, seenByB.Single(r => r.ClusterId == "c2").Epoch);
        var last = seenByB.Max(r => r.Version);
        Assert.Empty(store.ReadSince(last, "b"));

        // The next publish replaces the row (one per cluster) under a new version; only it is read.
        Assert.Equal(1, store.Publish("a", [new("c1", 1, 2000, "{\"n\":4}")]));
        var next = Assert.Single(store.ReadSince(last, "b"));
        Assert.Equal(("c1", 2000L, "{\"n\":4}"), (next.ClusterId, next.TakenMs, next.Json));
        Assert.True(next.Version > last);
        using var connection = database.Open();
        Assert.Equal(3, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM live_snapshots"));
    }

    [Fact]
    public async Task HolderThatLostItsLease_PublishesNothing_TheNewHoldersRowStays()
    {
        var database = await NewDatabaseAsync();
        var store = new LiveSnapshotStore(database);
        Lease(database, "c1", "a", 1, TimeSpan.FromMinutes(1));
        Assert.Equal(1, store.Publish("a", [new("c1", 1, 1000, "{\"by\":\"a\"}")]));

        // b takes the lease over (epoch 2) and publishes; a, back from a pause, still believes it holds epoch 1.
        Lease(database, "c1", "b", 2, TimeSpan.FromMinutes(1));
        Assert.Equal(1, store.Publish("b", [new("c1", 2, 2000, "{\"by\":\"b\"}")]));
        Assert.Equal(0, store.Publish("a", [new("c1", 1, 3000, "{\"by\":\"a, late\"}")]));
        // Nor does a land a cluster it never held, or claim b's epoch under its own name.
        Lease(database, "c2", "b", 7, TimeSpan.FromMinutes(1));
        Assert.Equal(0, store.Publish("a", [new("c2", 7, 3000, "{}"), new("c3", 1, 3000, "{}")]));

        var rows = store.ReadSince(0, "nobody");
        var row = Assert.Single(rows);
        Assert.Equal(("c1", "b", 2L, 2000L, "{\"by\":\"b\"}"), (row.ClusterId, row.Holder, row.Epoch, row.TakenMs, row.Json));
    }

    [Fact]
    public async Task ClustersWhoseLeaseLapsedLongAgo_ArePruned_LiveOnesKept()
    {
        var database = await NewDatabaseAsync();
        var store = new LiveSnapshotStore(database);
        Lease(database, "kept", "a", 1, TimeSpan.FromMinutes(1));
        Lease(database, "gone", "a", 1, TimeSpan.FromMinutes(1));
        Assert.Equal(2, store.Publish("a", [new("kept", 1, 1000, "{}"), new("gone", 1, 1000, "{}")]));

        // "gone" left every replica's registry: nobody renews its lease, which lapsed ten minutes ago.
        Lease(database, "gone", "a", 1, TimeSpan.FromMinutes(-10));
        Assert.Equal(0, store.Prune(TimeSpan.FromMinutes(11)));
        Assert.Equal(1, store.Prune(TimeSpan.FromMinutes(1)));
        Assert.Equal(["kept"], store.ReadSince(0, "b").Select(r => r.ClusterId));
    }

    [Fact]
    public async Task LiveSnapshots_AreUnlogged_TheirVersionsFromOneSequence()
    {
        var database = await NewDatabaseAsync();
        using var connection = database.Open();
        Assert.Equal("u", connection.ExecuteScalar<string>("SELECT relpersistence::text FROM pg_class WHERE relname = 'live_snapshots'"));
        Assert.Equal(1, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM pg_class WHERE relname = 'live_snapshot_versions' AND relkind = 'S'"));
    }
}
