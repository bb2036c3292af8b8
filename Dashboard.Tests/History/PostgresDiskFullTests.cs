using System.Diagnostics;
using Dapper;
using Dashboard.Core.History;
using Dashboard.Tests.Support;
using Npgsql;

namespace Dashboard.Tests.History;

/// <summary>
/// The shared PostgreSQL history on a disk that fills up for real (the history tables in a tablespace on a tiny
/// tmpfs): the status says so, writes wait in memory (monitoring never waits on them), and once space returns they
/// all land, none lost and none twice.
/// </summary>
public sealed class PostgresDiskFullTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task DiskFull_StatusSaysOutOfSpace_WritesWaitInMemory_ThenLandWhenSpaceReturns()
    {
        await using var own = new PostgresServer(); // a tablespace of its own, dropped with the server
        await own.InitializeAsync();
        using var disk = SmallDisk.Mount("2m", owner: "postgres");
        var connectionString = await own.CreateDatabaseAsync();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using (var admin = new NpgsqlConnection(own.ConnectionString("postgres")))
        {
            await admin.ExecuteAsync($"CREATE TABLESPACE small_disk LOCATION '{disk.Folder}'");
            // The history's tables go where the migrations create them: the database's default tablespace for new tables.
            await admin.ExecuteAsync($"ALTER DATABASE \"{name}\" SET default_tablespace = small_disk");
        }
        var database = new HistoryDatabase(new HistoryOptions { Provider = "postgres", ConnectionString = connectionString, BusyTimeout = TimeSpan.FromSeconds(2) });
        database.Migrate();
        await using var writer = new HistoryWriter(database) { FirstRetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromMilliseconds(500) };
        writer.Start();

        // Incompressible text, so TOAST cannot squeeze it below the disk's size: 1,000 x 4 kB is twice the disk.
        var random = new Random(19);
        for (var i = 0; i < 1000; i++)
        {
            var bytes = new byte[3000];
            random.NextBytes(bytes);
            writer.Enqueue(new EventWrite(new HistoryEvent("c", T0.AddSeconds(i), "filler", null, $"{i}:{Convert.ToBase64String(bytes)}")));
        }
        Assert.False(await writer.FlushAsync());
        Assert.False(writer.Status.IsHealthy);
        Assert.Contains("out of disk space", writer.Status.Problem, StringComparison.Ordinal);
        Assert.True(writer.Status.PendingWrites > 0, "every write landed: the disk never filled");
        Assert.DoesNotContain(PostgresServer.Password, writer.Status.Problem, StringComparison.Ordinal);

        disk.Grow("64m"); // space freed
        var clock = Stopwatch.StartNew();
        while (!(await writer.FlushAsync() && writer.Status.IsHealthy))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"history did not catch up: {writer.Status.Problem}");
            await Task.Delay(100);
        }
        var events = await new HistoryReader(database).EventsAsync("c", T0, T0.AddHours(1), ["filler"], limit: 2000);
        Assert.Equal(1000, events.Count);
        Assert.Equal(1000, events.Select(e => e.Summary.Split(':')[0]).Distinct().Count());

        NpgsqlConnection.ClearAllPools(); // the server (and its tablespace) goes before the disk
        await own.StopAsync();
    }
}
