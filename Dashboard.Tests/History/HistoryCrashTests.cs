using System.Diagnostics;
using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Tests.History;

/// <summary>The process writing history is killed with SIGKILL mid-write; the file must open cleanly after.</summary>
public sealed class HistoryCrashTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("history-crash-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task KillDashNineDuringWrites_DatabaseOpensCleanly_WithWhatWasCommitted()
    {
        var path = Path.Combine(_folder, "history.db");
        // The bench's simulated week writes snapshots, events and metrics through the real writer as fast as it can.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Dashboard.Bench.dll"), "history-week", "--days", "7", "--db", path })
            start.ArgumentList.Add(arg);
        using var writer = Process.Start(start)!;
        writer.BeginOutputReadLine(); // drained and dropped: its progress lines are not this test's
        writer.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!HasRows(path) && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(100);
            await Task.Delay(700); // well inside the run: a week takes a minute or more
            output.WriteLine($"rows seen after {clock.ElapsedMilliseconds} ms");
            Assert.False(writer.HasExited, "the writer ended before it could be killed");
        }
        finally
        {
            writer.Kill(); // SIGKILL: no flush, no checkpoint, no cleanup
            writer.WaitForExit(10_000);
        }

        var database = new HistoryDatabase(new HistoryOptions { DatabasePath = path });
        Assert.Equal(HistorySchema.CurrentVersion, database.Migrate());
        using var connection = database.Open();
        Assert.Equal("ok", connection.ExecuteScalar<string>("PRAGMA integrity_check"));
        Assert.True(connection.ExecuteScalar<long>("SELECT COUNT(*) FROM node_metrics") > 0);

        // And it keeps working: a new writer appends to it.
        await using var again = new HistoryWriter(database);
        again.Start();
        again.Enqueue(new EventWrite(new HistoryEvent("after-crash", DateTimeOffset.UtcNow, "node-up", "1", "written after the crash")));
        Assert.True(await again.FlushAsync());

    }

    private static bool HasRows(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            var database = new HistoryDatabase(new HistoryOptions { DatabasePath = path });
            using var connection = database.Open(readOnly: true);
            return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'node_metrics'") == 1
                   && connection.ExecuteScalar<long>("SELECT COUNT(*) FROM node_metrics") > 1000;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return false;
        }
    }
}
