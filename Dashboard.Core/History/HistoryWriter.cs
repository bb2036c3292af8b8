using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Dashboard.Core.History;

/// <summary>
/// The only writer of the history database: a queue drained by one loop that writes in batched transactions.
/// When the database cannot be written (locked, read-only, disk full, corrupt), monitoring goes on: writes wait in
/// a bounded backlog (the oldest dropped and counted beyond it), <see cref="Status"/> says why, and writing resumes
/// by itself. A corrupt file is moved aside (kept for inspection) and a new one started.
/// </summary>
public sealed class HistoryWriter : IAsyncDisposable
{
    private const int MaxBatch = 2_000;
    private readonly HistoryDatabase _database;
    private readonly TimeProvider _time;
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LinkedList<HistoryWrite> _backlog = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private SqliteConnection? _connection;
    private HistoryStatus _status;
    private long _dropped;
    private int _queued;
    private int _disposed;

    public HistoryWriter(HistoryDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
        _status = HistoryStatus.Healthy(database.Path);
    }

    public HistoryStatus Status => _status;

    public event Action<HistoryStatus>? StatusChanged;

    /// <summary>Retry pause while degraded; grows to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Queues a write; never blocks and never throws for a database problem.</summary>
    public void Enqueue(HistoryWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Interlocked.Increment(ref _queued);
        _queue.Writer.TryWrite(write);
    }

    /// <summary>Completes when everything queued before it has been written (true) or could not be (false, degraded).</summary>
    public Task<bool> FlushAsync()
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite(done);
        return done.Task;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var delay = FirstRetryDelay;
        var flushes = new List<TaskCompletionSource<bool>>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (_backlog.Count == 0) await _queue.Reader.WaitToReadAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }

            Drain(flushes);
            if (TryWriteBacklog())
            {
                delay = FirstRetryDelay;
                foreach (var flush in flushes) flush.TrySetResult(true);
                flushes.Clear();
                continue;
            }

            foreach (var flush in flushes) flush.TrySetResult(false);
            flushes.Clear();
            try
            {
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, delay.Ticks * 2));
        }
        Drain(flushes);
        TryWriteBacklog();
        foreach (var flush in flushes) flush.TrySetResult(_backlog.Count == 0);
        CloseConnection();
    }

    private void Drain(List<TaskCompletionSource<bool>> flushes)
    {
        while (_queue.Reader.TryRead(out var item))
        {
            if (item is TaskCompletionSource<bool> flush) { flushes.Add(flush); continue; }
            Interlocked.Decrement(ref _queued);
            _backlog.AddLast((HistoryWrite)item);
            if (_backlog.Count > _database.Options.MaxPendingWrites)
            {
                _backlog.RemoveFirst();
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    private bool TryWriteBacklog()
    {
        while (_backlog.Count > 0)
        {
            var batch = _backlog.Take(MaxBatch).ToList();
            try
            {
                _connection ??= OpenMigrated();
                WriteInTransaction(_connection, batch);
                if (batch.Any(w => w is PruneWrite)) _connection.Execute("PRAGMA incremental_vacuum;");
                for (var i = 0; i < batch.Count; i++) _backlog.RemoveFirst();
            }
            catch (SqliteException e) when (!IsRetryable(e))
            {
                // A write the database refuses for its content (not its state) would block the queue for ever: drop it.
                for (var i = 0; i < batch.Count; i++) _backlog.RemoveFirst();
                Interlocked.Add(ref _dropped, batch.Count);
                SetStatus(false, $"{batch.Count} history write(s) were refused and dropped: {e.Message}");
                return false;
            }
            catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
            {
                CloseConnection();
                SetStatus(false, Describe(e));
                return false;
            }
        }
        SetStatus(true, null);
        return true;
    }

    private static void WriteInTransaction(SqliteConnection connection, List<HistoryWrite> batch)
    {
        var transaction = connection.BeginTransaction();
        try
        {
            foreach (var write in batch) write.Apply(connection, transaction);
            transaction.Commit();
        }
        finally
        {
            // After SQLITE_FULL or an I/O error SQLite has already rolled back, and disposing the transaction throws
            // "no transaction is active"; the original error is the one that matters.
            try { transaction.Dispose(); } catch (SqliteException) { }
        }
    }

    private void CloseConnection()
    {
        try { _connection?.Dispose(); } catch (SqliteException) { }
        _connection = null;
    }

    private SqliteConnection OpenMigrated()
    {
        try
        {
            _database.Migrate();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteCodes.Corrupt or SqliteCodes.NotADatabase)
        {
            var aside = QuarantineCorruptFile();
            SetStatus(false, $"The history database was corrupt; it was moved to {aside} and a new one was started.");
            _database.Migrate();
        }
        return _database.Open();
    }

    private string QuarantineCorruptFile()
    {
        var aside = $"{_database.Path}.corrupt-{_time.GetUtcNow():yyyyMMddHHmmss}";
        File.Move(_database.Path, aside, overwrite: true);
        foreach (var suffix in new[] { "-wal", "-shm" })
            if (File.Exists(_database.Path + suffix)) File.Move(_database.Path + suffix, aside + suffix, overwrite: true);
        return aside;
    }

    private void SetStatus(bool healthy, string? problem)
    {
        var previous = _status;
        if (healthy && previous.IsHealthy && previous.DroppedWrites == Interlocked.Read(ref _dropped)) return;
        var since = healthy ? null : previous.IsHealthy ? _time.GetUtcNow() : previous.Since;
        _status = new HistoryStatus(healthy, problem, since, _backlog.Count + Volatile.Read(ref _queued), Interlocked.Read(ref _dropped), _database.Path);
        StatusChanged?.Invoke(_status);
    }

    private static bool IsRetryable(SqliteException e) => e.SqliteErrorCode is SqliteCodes.Busy or SqliteCodes.Locked or SqliteCodes.ReadOnly
        or SqliteCodes.IoError or SqliteCodes.Corrupt or SqliteCodes.Full or SqliteCodes.CantOpen or SqliteCodes.NotADatabase
        or SqliteCodes.Permission or SqliteCodes.Protocol;

    private string Describe(Exception e) => e is SqliteException { SqliteErrorCode: SqliteCodes.ReadOnly } || IsFileReadOnly()
        ? $"The history database {_database.Path} is read-only; history is kept in memory until it can be written."
        : e switch
    {
        SqliteException { SqliteErrorCode: SqliteCodes.Full } => $"The disk holding {_database.Path} is full; history is kept in memory until space is freed.",
        SqliteException { SqliteErrorCode: SqliteCodes.Busy or SqliteCodes.Locked } => $"The history database {_database.Path} is locked by another process; retrying.",
        SqliteException { SqliteErrorCode: SqliteCodes.CantOpen or SqliteCodes.Permission } => $"The history database {_database.Path} cannot be opened ({e.Message}); retrying.",
        SqliteException { SqliteErrorCode: SqliteCodes.Corrupt or SqliteCodes.NotADatabase } => $"The history database {_database.Path} is corrupt ({e.Message}).",
        _ => $"History cannot be written to {_database.Path}: {e.Message}",
    };

    // SQLite reports a file that became unwritable under an open connection as a generic I/O error; ask the file itself.
    private bool IsFileReadOnly()
    {
        try
        {
            if (!File.Exists(_database.Path)) return false;
            using var probe = new FileStream(_database.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            return false;
        }
        catch (UnauthorizedAccessException) { return true; }
        catch (IOException) { return true; }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        else CloseConnection();
        _stop.Dispose();
    }
}

/// <summary>SQLite's primary result codes that the writer tells apart.</summary>
internal static class SqliteCodes
{
    public const int Permission = 3;
    public const int Busy = 5;
    public const int Locked = 6;
    public const int ReadOnly = 8;
    public const int IoError = 10;
    public const int Corrupt = 11;
    public const int Full = 13;
    public const int CantOpen = 14;
    public const int Protocol = 15;
    public const int NotADatabase = 26;
}
