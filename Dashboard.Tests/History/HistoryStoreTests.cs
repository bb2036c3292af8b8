using System.Data.Common;
using Dapper;
using Dashboard.Core.Access;
using Dashboard.Core.History;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.History;

/// <summary>
/// The history store's behaviour, once per provider: <see cref="SqliteHistoryStoreTests"/> and
/// <see cref="PostgresHistoryStoreTests"/> run every test here against their own database.
/// </summary>
public abstract class HistoryStoreTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);

    protected static readonly string[] AllTables =
        ["api_tokens", "audit_log", "cluster_leases", "data_protection_keys", "events", "installation", "kafka_snapshots", "live_snapshots", "maintenance_locks", "maintenance_log", "maintenance_runs", "maintenance_steps", "membership_log", "membership_runs", "membership_steps", "node_metrics", "node_metrics_downsampled", "sessions", "snapshot_nodes", "snapshots"];

    private HistoryOptions _where = null!;

    /// <summary>Where this provider's database for one test lives (provider, path or connection string).</summary>
    protected abstract Task<HistoryOptions> NewPlaceAsync();

    /// <summary>The store's tables as the database lists them.</summary>
    protected abstract IEnumerable<string> Tables(DbConnection connection);

    public async Task InitializeAsync() => _where = await NewPlaceAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected HistoryDatabase NewDatabase(HistoryOptions? options = null) =>
        new((options ?? new HistoryOptions()) with
        {
            Provider = _where.Provider, DatabasePath = _where.DatabasePath, ConnectionString = _where.ConnectionString, BusyTimeout = TimeSpan.FromMilliseconds(2_000),
        });

    [Fact]
    public void Migrate_NewDatabase_ReachesCurrentVersion_AndRerunChangesNothing()
    {
        var database = NewDatabase();

        Assert.Equal(HistorySchema.CurrentVersion, database.Migrate());
        Assert.Equal(HistorySchema.CurrentVersion, database.Migrate());
        using var connection = database.Open();
        Assert.Equal(AllTables, Tables(connection).Where(t => t != "history_schema").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Migrate_FromVersion1_AddsMetricsAndKeepsExistingEvents()
    {
        var database = NewDatabase();
        Assert.Equal(1, database.Provider.MigrateTo(1));
        using (var old = database.Open())
            old.Execute("INSERT INTO events (cluster_id, at_ms, kind, subject, summary) VALUES ('c', @at, 'leader-changed', '2', 'node 2 leads')", new { at = T0.ToUnixTimeMilliseconds() });

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
        Assert.Equal(0x2_0000_0000, late!.Nodes.Single(n => n.NodeId == "2").Zxid);
        Assert.Equal("connection refused", late.Nodes.Single(n => n.NodeId == "1").Error);
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
        writer.Enqueue(new MetricsWrite(samples[..2])); // the same samples again (a replay) replace, never duplicate
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

    [Fact]
    public async Task SizeBound_OldestSnapshotsGoFirst_UntilUnderTheBound()
    {
        var database = NewDatabase(new HistoryOptions { MaxDatabaseBytes = 16L * 1024 * 1024, SnapshotRetention = TimeSpan.FromDays(3650) });
        await using var writer = new HistoryWriter(database);
        writer.Start();
        // About 40 MB of snapshots (barely compressible JSON), one a minute.
        var filler = string.Concat(Enumerable.Range(0, 2_000).Select(i => Guid.NewGuid().ToString("N")));
        for (var i = 0; i < 600; i++)
            writer.Enqueue(new SnapshotWrite(new SnapshotRecord("c", T0.AddMinutes(i), "heartbeat", "1", [new("1", "a:2181", "leader", i, null)], $$"""{"pad":"{{filler}}{{i}}"}""")));
        Assert.True(await writer.FlushAsync());
        writer.Enqueue(new PruneWrite(database.Options, T0.AddMinutes(600)));
        Assert.True(await writer.FlushAsync());

        using var connection = database.Open();
        var kept = connection.Query<long>("SELECT at_ms FROM snapshots ORDER BY at_ms").ToList();
        Assert.True(database.Provider.UsedBytes(connection) <= database.Options.MaxDatabaseBytes, $"{database.Provider.UsedBytes(connection)} bytes used, {kept.Count} snapshots kept");
        Assert.True(kept.Count is >= 50 and <= 599, $"{kept.Count} snapshots kept");
        Assert.Equal(T0.AddMinutes(599).ToUnixTimeMilliseconds(), kept[^1]); // the newest stay
        Assert.Equal(kept.Count, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM snapshot_nodes")); // their node rows went with them
    }

    [Fact]
    public async Task AuditBound_DropsOldestAnonymousRefusalsFirst_ThenOldestOthers_AndSaysWhat()
    {
        var database = NewDatabase(new HistoryOptions { MaxAuditRows = 1_000 });
        await using var writer = new HistoryWriter(database, TimeProvider.System);
        writer.Start();
        var t0 = DateTimeOffset.UtcNow.AddDays(-1);
        var log = new HistoryAuditLog(writer);
        // Interleaved in time: sign-ins and znode changes among the refusals.
        for (var i = 0; i < 1_500; i++)
        {
            var at = t0.AddSeconds(i);
            log.Record(i % 5 == 0
                ? new AuditEntry(at, "anonymous", "192.0.2.50", AuditActions.AccessDenied, "GET /api/clusters", AuditOutcome.Denied)
                : new AuditEntry(at, "alice", "192.0.2.1", i % 2 == 0 ? AuditActions.SignIn : "znode-set", "/x", AuditOutcome.Succeeded));
        }
        writer.Enqueue(new PruneWrite(database.Options, DateTimeOffset.UtcNow));
        Assert.True(await writer.FlushAsync());

        using var connection = database.Open(readOnly: true);
        Assert.Equal(1_000, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log"));
        Assert.Equal(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE user_name = 'anonymous'"));
        var detail = connection.ExecuteScalar<string>("SELECT detail FROM audit_log WHERE action = 'audit-pruned'")!;
        Assert.Contains("dropped 300 anonymous refusal(s)", detail, StringComparison.Ordinal);
        Assert.Contains("201 other row(s)", detail, StringComparison.Ordinal);
        Assert.Matches(@"sign-in \d+", detail);
        Assert.Matches(@"znode-set \d+", detail);
        // The newest rows are the ones kept.
        Assert.Equal(t0.AddSeconds(1_499).ToUnixTimeMilliseconds(), connection.ExecuteScalar<long>("SELECT MAX(at_ms) FROM audit_log WHERE action <> 'audit-pruned'"));
        var byUser = await new AuditLogReader(database).QueryAsync(new AuditQuery(User: "ALICE") { Limit = 5 });
        Assert.Equal(5, byUser.Count); // the user filter ignores case on both
    }

    [Fact]
    public async Task AuditReader_CountsFiltersAndOrders_OnePageAtATime()
    {
        var database = NewDatabase();
        await using var writer = new HistoryWriter(database, TimeProvider.System);
        writer.Start();
        var log = new HistoryAuditLog(writer);
        string[] users = ["carol", "Bob", "alice"];
        for (var i = 0; i < 30; i++)
            log.Record(new AuditEntry(T0.AddSeconds(i), users[i % 3], "192.0.2.1", i % 2 == 0 ? "znode-set" : "znode-delete", $"/n{i:00}",
                i % 10 == 0 ? AuditOutcome.Failed : AuditOutcome.Succeeded));
        Assert.True(await writer.FlushAsync());
        var reader = new AuditLogReader(database);

        var failed = new AuditQuery { Outcome = AuditOutcome.Failed };
        var byUser = await reader.QueryAsync(new AuditQuery(Action: "znode-set") { Sort = AuditSort.User, Limit = 5, Offset = 3 });
        var oldest = await reader.QueryAsync(new AuditQuery { Sort = AuditSort.Oldest, Limit = 3 });

        Assert.Equal(30, await reader.CountAsync(new AuditQuery()));
        Assert.Equal(15, await reader.CountAsync(new AuditQuery(Action: "znode-set")));
        Assert.Equal(3, await reader.CountAsync(failed));
        Assert.All(await reader.QueryAsync(failed), e => Assert.Equal(AuditOutcome.Failed, e.Outcome));
        Assert.Equal(10, await reader.CountAsync(new AuditQuery(User: "bob", From: T0.AddSeconds(0), To: T0.AddSeconds(29))));
        // By user ignoring case (alice, Bob, carol: five znode-sets each), each newest first; from the fourth row on.
        Assert.Equal(["alice", "alice", "Bob", "Bob", "Bob"], byUser.Select(e => e.User));
        Assert.Equal(["/n08", "/n02", "/n28"], byUser.Take(3).Select(e => e.Target));
        Assert.Equal(["/n00", "/n01", "/n02"], oldest.Select(e => e.Target));
    }

    [Fact]
    public async Task SessionsAndTokens_WrittenByOneStore_FoundByAnotherOnTheSameDatabase()
    {
        var database = NewDatabase();
        await using var writer = new HistoryWriter(database);
        writer.Start();
        var sessions = new SessionStore(database, writer, TimeProvider.System, TimeSpan.FromHours(8));
        var tokens = new ApiTokenStore(database, writer, TimeProvider.System);
        var session = await sessions.CreateAsync("alice", DashboardRole.Operator, "192.0.2.1");
        var issued = await tokens.CreateAsync("deploy script", DashboardRole.Viewer, "alice");
        Assert.True(issued.Saved);

        // A second dashboard (a restart, or another replica) reads them from the database.
        var otherSessions = new SessionStore(database, writer, TimeProvider.System, TimeSpan.FromHours(8));
        var otherTokens = new ApiTokenStore(database, writer, TimeProvider.System);

        Assert.Equal("alice", (await otherSessions.FindActiveAsync(session.Id))?.User);
        Assert.Equal("deploy script", (await otherTokens.FindActiveAsync(issued.Secret))?.Name);
    }

    [Fact]
    public async Task MaintenanceLock_OneRunPerCluster_AcrossTwoStores_ReleasedWhenTheRunEnds()
    {
        var database = NewDatabase();
        var first = new Core.Maintenance.MaintenanceStore(database);
        var second = new Core.Maintenance.MaintenanceStore(database);
        var run = NewRun("r1");

        first.Create(run);
        var refused = Assert.Throws<Core.Maintenance.MaintenanceRefusedException>(() => second.Create(NewRun("r2")));

        Assert.True(refused.IsConflict);
        Assert.Equal("r1", second.Active("c")?.Id);
        first.Save(run with { State = Core.Maintenance.RunState.Succeeded, FinishedAt = T0.AddMinutes(5) });
        Assert.Null(second.Active("c"));
        Assert.Equal("r2", second.Create(NewRun("r2")).Id);
    }

    private static Core.Maintenance.MaintenanceRun NewRun(string id) =>
        new(id, "c", Core.Maintenance.MaintenanceOperation.Restart, "alice", T0)
        {
            Steps = [new Core.Maintenance.MaintenanceStep(0, Core.Maintenance.NodeAction.Restart, 1, "n1:2181", false, "script")],
        };
}

public sealed class SqliteHistoryStoreTests : HistoryStoreTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("history-").FullName;

    protected override Task<HistoryOptions> NewPlaceAsync() => Task.FromResult(new HistoryOptions { DatabasePath = Path.Combine(_folder, "history.db") });

    protected override IEnumerable<string> Tables(DbConnection connection) => connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table'");

    public override Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Migrate_NewFile_IsInWalMode()
    {
        var database = NewDatabase();
        database.Migrate();
        using var connection = database.Open();
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
    }
}

public sealed class PostgresHistoryStoreTests(PostgresServer server) : HistoryStoreTests, IClassFixture<PostgresServer>
{
    protected override async Task<HistoryOptions> NewPlaceAsync() =>
        new() { Provider = HistoryProvider.PostgresName, ConnectionString = await server.CreateDatabaseAsync() };

    protected override IEnumerable<string> Tables(DbConnection connection) =>
        connection.Query<string>("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()");
}
