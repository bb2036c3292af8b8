using System.Diagnostics;
using Dapper;
using Dashboard.Core.History;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.History;

/// <summary>What only the shared PostgreSQL store has to show: migrations raced by replicas, a server that goes away, a secret connection string.</summary>
public sealed class PostgresHistoryTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);

    private static HistoryDatabase Database(string connectionString) =>
        new(new HistoryOptions { Provider = "postgres", ConnectionString = connectionString, BusyTimeout = TimeSpan.FromSeconds(2) });

    [Fact]
    public async Task Migrate_ByFourReplicasAtOnce_AppliesEachMigrationOnce()
    {
        var connectionString = await server.CreateDatabaseAsync();
        using var start = new Barrier(4);

        var versions = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var database = Database(connectionString); // each its own pool, as separate processes would have
            start.SignalAndWait();
            return database.Migrate();
        })));

        Assert.All(versions, v => Assert.Equal(HistorySchema.CurrentVersion, v));
        using var connection = Database(connectionString).Open();
        Assert.Equal(Enumerable.Range(1, HistorySchema.CurrentVersion), connection.Query<int>("SELECT version FROM history_schema ORDER BY version"));
    }

    [Fact]
    public async Task ServerDown_MonitoringWritesWaitInMemory_StatusSaysUnreachable_ThenCatchUp()
    {
        await using var own = new PostgresServer(); // stopped and started by this test alone
        await own.InitializeAsync();
        var database = Database(await own.CreateDatabaseAsync());
        await using var writer = new HistoryWriter(database) { FirstRetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromMilliseconds(500) };
        writer.Start();
        writer.Enqueue(new EventWrite(new HistoryEvent("c", T0, "node-down", "1", "before")));
        Assert.True(await writer.FlushAsync());

        await own.StopAsync();
        for (var i = 0; i < 50; i++) writer.Enqueue(new EventWrite(new HistoryEvent("c", T0.AddSeconds(i + 1), "node-up", "1", $"while down {i}")));
        Assert.False(await writer.FlushAsync());

        Assert.False(writer.Status.IsHealthy);
        Assert.Contains($"PostgreSQL 127.0.0.1:{own.Port}/", writer.Status.Problem, StringComparison.Ordinal);
        Assert.Contains("cannot be reached", writer.Status.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, writer.Status.Problem, StringComparison.Ordinal);
        Assert.Equal(50, writer.Status.PendingWrites);

        await own.StartAsync();
        var clock = Stopwatch.StartNew();
        while (!(await writer.FlushAsync() && writer.Status.IsHealthy))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"history did not catch up: {writer.Status.Problem}");
            await Task.Delay(100);
        }
        var events = await new HistoryReader(database).EventsAsync("c", T0, T0.AddHours(1), limit: 100);
        Assert.Equal(51, events.Count);
        Assert.Equal(51, events.Select(e => e.Summary).Distinct().Count());
    }

    [Fact]
    public void ConnectionString_NeverInTheOptionsTextTheLocationOrAParseError()
    {
        var connectionString = server.ConnectionString("history");
        var options = new HistoryOptions { Provider = "postgres", ConnectionString = connectionString };
        var database = new HistoryDatabase(options);
        var broken = Assert.Throws<ArgumentException>(() => new HistoryDatabase(options with { ConnectionString = $"Host=127.0.0.1;Password={PostgresServer.Password};Bogus Key=1" }));

        foreach (var text in new[] { options.ToString(), database.ToString(), database.Location, broken.Message })
            Assert.DoesNotContain(PostgresServer.Password, text, StringComparison.Ordinal);
        Assert.Contains("ConnectionString = (hidden)", options.ToString(), StringComparison.Ordinal);
        Assert.Equal($"PostgreSQL 127.0.0.1:{server.Port}/history", database.Location);
    }
}
