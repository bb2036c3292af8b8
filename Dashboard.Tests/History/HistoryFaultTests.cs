using System.Diagnostics;
using Dapper;
using Dashboard.Core.History;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.History;

/// <summary>
/// Real faults, not fakes: another process's lock, a file system remounted read-only, a full disk (a tiny tmpfs),
/// and a corrupt file. Mounting needs root, which the test script and CI have; without root the read-only case
/// uses file permissions instead.
/// </summary>
public sealed class HistoryFaultTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("history-fault-").FullName;
    private bool _mounted;
    private bool _immutable;

    public void Dispose()
    {
        if (_immutable) SetImmutable(false);
        if (_mounted) Run("umount", "-l", _folder);
        Directory.Delete(_folder, recursive: true);
    }

    private HistoryDatabase Database(long? max = null) =>
        new(new HistoryOptions { DatabasePath = Path.Combine(_folder, "history.db"), BusyTimeout = TimeSpan.FromMilliseconds(100), MaxDatabaseBytes = max ?? 2L << 30 });

    private static HistoryWriter Writer(HistoryDatabase database) =>
        new(database) { FirstRetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromMilliseconds(200) };

    private static HistoryEvent Event(int i) => new("c", T0.AddSeconds(i), "node-down", i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"event {i}");

    [Fact]
    public async Task LockedByAnotherConnection_StatusDegraded_ThenResumesWithNothingLost()
    {
        var database = Database();
        database.Migrate();
        await using var writer = Writer(database);
        writer.Start();

        using (var other = database.Open())
        {
            other.Execute("BEGIN EXCLUSIVE");
            writer.Enqueue(new EventWrite(Event(1)));
            Assert.False(await writer.FlushAsync());
            Assert.False(writer.Status.IsHealthy);
            Assert.Contains("locked", writer.Status.Problem, StringComparison.Ordinal);
            other.Execute("ROLLBACK");
        }

        writer.Enqueue(new EventWrite(Event(2)));
        await WaitHealthyAsync(writer);
        var events = await new HistoryReader(database).EventsAsync("c", T0, T0.AddMinutes(1));
        Assert.Equal(["event 2", "event 1"], events.Select(e => e.Summary));
    }

    [Fact]
    public async Task FileSystemReadOnly_StatusSaysReadOnly_ThenResumesWhenWritable()
    {
        var asRoot = Environment.UserName == "root";
        var database = Database();
        database.Migrate();
        await using var writer = Writer(database);
        writer.Start();
        writer.Enqueue(new EventWrite(Event(1)));
        Assert.True(await writer.FlushAsync());

        // As root, permissions do not stop writes; the immutable flag does, even through already-open files. The
        // shared-memory index (-shm) stays writable: SQLite maps it into memory, and a mapped page that cannot be
        // written kills the process with SIGBUS, a different fault from the one tested here.
        if (asRoot) SetImmutable(true);
        else { File.SetUnixFileMode(database.Path, UnixFileMode.UserRead); File.SetUnixFileMode(_folder, UnixFileMode.UserRead | UnixFileMode.UserExecute); }
        writer.Enqueue(new EventWrite(Event(2)));
        Assert.False(await writer.FlushAsync());
        Assert.False(writer.Status.IsHealthy);
        Assert.Matches("read-only|cannot be opened", writer.Status.Problem!);

        if (asRoot) SetImmutable(false);
        else { File.SetUnixFileMode(_folder, (UnixFileMode)0b111_000_000); File.SetUnixFileMode(database.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite); }
        writer.Enqueue(new EventWrite(Event(3)));
        await WaitHealthyAsync(writer);
        var events = await new HistoryReader(database).EventsAsync("c", T0, T0.AddMinutes(1));
        Assert.Equal(["event 3", "event 2", "event 1"], events.Select(e => e.Summary));
    }

    [Fact]
    public async Task DiskFull_StatusSaysFull_WritesWaitInMemory_ThenLandWhenSpaceReturns()
    {
        Assert.True(Environment.UserName == "root", "this test makes a real full disk with a tiny tmpfs and needs root (the test script runs as root in CI)");
        Mount("size=1m");
        var database = Database();
        database.Migrate();
        await using var writer = Writer(database);
        writer.Start();
        var filler = new string('x', 4000);

        for (var i = 0; i < 400; i++)
            writer.Enqueue(new EventWrite(new HistoryEvent("c", T0.AddSeconds(i), "filler", null, filler)));
        await writer.FlushAsync();

        Assert.False(writer.Status.IsHealthy);
        Assert.Contains("full", writer.Status.Problem, StringComparison.Ordinal);
        Assert.True(writer.Status.PendingWrites > 0);

        // Space freed (the tmpfs grown): the waiting writes land, none lost.
        Run("mount", "-o", "remount,size=64m", _folder);
        await WaitHealthyAsync(writer);
        Assert.Equal(400, (await new HistoryReader(database).EventsAsync("c", T0, T0.AddHours(1), ["filler"])).Count);
    }

    [Fact]
    public async Task CorruptFile_MovedAsideAndNewHistoryStarted()
    {
        var database = Database();
        await File.WriteAllBytesAsync(database.Path, Enumerable.Range(0, 8192).Select(i => (byte)(i * 37)).ToArray());
        await using var writer = Writer(database);
        writer.Start();

        writer.Enqueue(new EventWrite(Event(1)));
        await WaitHealthyAsync(writer);

        Assert.Single(Directory.GetFiles(_folder, "history.db.corrupt-*"));
        Assert.Single(await new HistoryReader(database).EventsAsync("c", T0, T0.AddMinutes(1)));
    }

    private static async Task WaitHealthyAsync(HistoryWriter writer)
    {
        var clock = Stopwatch.StartNew();
        while (!(await writer.FlushAsync() && writer.Status.IsHealthy))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"history did not recover: {writer.Status.Problem}");
            await Task.Delay(50);
        }
    }

    private void SetImmutable(bool on)
    {
        foreach (var path in Directory.GetFiles(_folder).Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)).Append(_folder))
            Run("chattr", on ? "+i" : "-i", path);
        _immutable = on;
    }

    private void Mount(string options)
    {
        Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", _folder);
        _mounted = true;
    }

    private static void Run(string file, params string[] args) => SmallDisk.Run(file, args);
}
