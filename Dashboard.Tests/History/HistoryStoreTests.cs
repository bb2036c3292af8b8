using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Tests.History;

public sealed class HistoryStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("history-").FullName;

    private HistoryDatabase NewDatabase(HistoryOptions? options = null) =>
        new((options ?? new HistoryOptions()) with { DatabasePath = Path.Combine(_folder, "history.db"), BusyTimeout = TimeSpan.FromMilliseconds(200) });

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Migrate_NewFile_ReachesCurrentVersionInWalMode_AndRerunChangesNothing()
    {
        var database = NewDatabase();

        Assert.Equal(HistorySchema.CurrentVersion, database.Migrate());
        Assert.Equal(HistorySchema.CurrentVersion, database.Migrate());
        using var connection = database.Open();
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
        Assert.Equal(["api_tokens", "audit_log", "events", "kafka_snapshots", "maintenance_locks", "maintenance_log", "maintenance_runs", "maintenance_steps", "membership_log", "membership_runs", "membership_steps", "node_metrics", "node_metrics_downsampled", "sessions", "snapshot_nodes", "snapshots"],
            connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
    }

    [Fact]
    public async Task Migrate_FromVersion1_AddsMetricsAndKeepsExistingEvents()
    {
        var database = NewDatabase();
        using (var old = database.Open())
        {
            old.Execute(HistorySchema.Migrations[0].Sql);
            old.Execute("PRAGMA user_version = 1");
            old.Execute("INSERT INTO events (cluster_id, at_ms, kind, subject, summary) VALUES ('c', @at, 'leader-changed', '2', 'node 2 leads')", new { at = T0.ToUnixTimeMilliseconds() });
        }

        Assert.Equal(HistorySchema.CurrentVersion, database.Migrate());
        var events = await new HistoryReader(database).EventsAsync("c", T0.AddHours(-1), T0.AddHours(1));
        Assert.Equal("node 2 leads", Assert.Single(events).Summary);
    }

    [Fact]
    public async Task Events_WrittenThroughQueue_ReadBackByRangeAndKind_NewestFirst()
    {
        var database = NewDatabase();
        await using var writer = new HistoryWriter(database);
        writer.Start();
        writer.Enqueue(new EventWrite(new HistoryEvent("c1", T0, "node-down", "3", "node 3 down")));
        writer.Enqueue(new EventWrite(new HistoryEvent("c1", T0.AddSeconds(10), "leader-changed", "2", "node 2 leads", """{"noLeaderMs":1234}""")));
        writer.Enqueue(new EventWrite(new HistoryEvent("c1", T0.AddHours(5), "node-up", "3", "node 3 up")));
        writer.Enqueue(new EventWrite(new HistoryEvent("c2", T0, "node-down", "1", "other cluster")));
        Assert.True(await writer.FlushAsync());

        var reader = new HistoryReader(database);
        var firstHour = await reader.EventsAsync("c1", T0, T0.AddHours(1));
        var leaderOnly = await reader.EventsAsync("c1", T0, T0.AddDays(1), ["leader-changed"]);

        Assert.Equal(["leader-changed", "node-down"], firstHour.Select(e => e.Kind));
        Assert.Equal("""{"noLeaderMs":1234}""", Assert.Single(leaderOnly).DataJson);
        Assert.True(writer.Status.IsHealthy);
    }

    [Fact]
    public async Task SnapshotAt_ReturnsLastStoredAtOrBeforeTime_WithNodeRows()
    {
        var database = NewDatabase();
        await using var writer = new HistoryWriter(database);
        writer.Start();
        writer.Enqueue(new SnapshotWrite(new SnapshotRecord("c", T0, "change", "1",
            [new("1", "10.0.0.1:2181", "leader", 0x1_0000_0005, null), new("2", "10.0.0.2:2181", "follower", 0x1_0000_0005, null)], "{}")));
        writer.Enqueue(new SnapshotWrite(new SnapshotRecord("c", T0.AddMinutes(10), "change", "2",
            [new("1", "10.0.0.1:2181", "down", null, "connection refused"), new("2", "10.0.0.2:2181", "leader", 0x2_0000_0000, null)], "{}")));
        Assert.True(await writer.FlushAsync());
        var reader = new HistoryReader(database);

        var before = await reader.SnapshotAtAsync("c", T0.AddMinutes(-1));
        var early = await reader.SnapshotAtAsync("c", T0.AddMinutes(9));
        var late = await reader.SnapshotAtAsync("c", T0.AddHours(3));

        Assert.Null(before);
        Assert.Equal("1", early?.LeaderId);
        Assert.Equal("leader", early!.Nodes.Single(n => n.NodeId == "1").Role);
        Assert.Equal("connection refused", late!.Nodes.Single(n => n.NodeId == "1").Error);
    }

    [Fact]
    public async Task Prune_FoldsRawMetricsIntoBuckets_ThenDropsExpiredRawEventsAndAudit()
    {
        var options = new HistoryOptions { RawMetricsRetention = TimeSpan.FromHours(1), EventRetention = TimeSpan.FromDays(1), DownsampleBucket = TimeSpan.FromMinutes(5) };
        var database = NewDatabase(options);
        await using var writer = new HistoryWriter(database);
        writer.Start();
        // Two hours of samples every 30 s, latency rising 1 ms per sample.
        var samples = Enumerable.Range(0, 240).Select(i => new NodeMetricSample("c", "1", T0.AddSeconds(30 * i), i, i + 0.5, 1, 10, 100, 5)).ToList();
        writer.Enqueue(new MetricsWrite(samples));
        writer.Enqueue(new EventWrite(new HistoryEvent("c", T0.AddDays(-2), "node-down", "1", "old")));
        writer.Enqueue(new EventWrite(new HistoryEvent("c", T0, "node-down", "1", "recent")));
        var now = T0.AddHours(2);
        Assert.True(await writer.FlushAsync());
        using (var connection = database.Open())
        {
            connection.Execute("INSERT INTO audit_log (at_ms, user_name, action, outcome) VALUES (@Old, 'alice', 'sign-in', 'Succeeded'), (@Recent, 'alice', 'sign-in', 'Succeeded')",
                new { Old = (now - database.Options.AuditRetention - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds(), Recent = now.AddDays(-200).ToUnixTimeMilliseconds() });
        }
        writer.Enqueue(new PruneWrite(database.Options, now));
        Assert.True(await writer.FlushAsync());

        var reader = new HistoryReader(database);
        var raw = await reader.MetricsAsync("c", "1", now.AddMinutes(-50), now, now);
        var month = await reader.MetricsAsync("c", "1", T0.AddDays(-1), now, now);

        Assert.All(raw, s => Assert.True(s.At >= now.AddHours(-1)));
        Assert.Equal(24, month.Count); // two hours of whole 5-minute buckets
        Assert.Equal(4.5, month[0].LatencyAvg); // mean of 0..9
        Assert.Equal(9.5, month[0].LatencyMax);
        Assert.Equal(["recent"], (await reader.EventsAsync("c", T0.AddDays(-3), now)).Select(e => e.Summary));
        using var check = database.Open();
        Assert.Equal(1, check.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log")); // older than the audit retention: gone

    }
}
