using System.Threading.Channels;
using System.Data.Common;

namespace Dashboard.Core.History;

/// <summary>
/// The only writer of the history database: a queue drained by one loop that writes in batched transactions.
/// When the database cannot be written (locked, read-only, disk full, corrupt), monitoring goes on: writes wait in
/// a bounded backlog (the oldest dropped and counted beyond it), <see cref="Status"/> says why, and writing resumes
/// by itself. A corrupt SQLite file is moved aside (kept for inspection) and a new one started; a PostgreSQL server
/// that is down or full is waited for the same way.
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
    private DbConnection? _connection;
    private HistoryStatus _status;
    private long _dropped;
    private int _queued;
    private int _disposed;

    public HistoryWriter(HistoryDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
        _status = HistoryStatus.Healthy(database.Location);
    }

    public HistoryStatus Status => _status;

    public event Action<HistoryStatus>? StatusChanged;

    /// <summary>As the other stores: <paramref name="changed"/> is told the status changed; read <see cref="Status"/> for it.</summary>
    public IDisposable Subscribe(Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        void OnChanged(HistoryStatus _) => changed();
        StatusChanged += OnChanged;
        return new Live.Subscription(() => StatusChanged -= OnChanged);
    }

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
        var provider = _database.Provider;
        while (_backlog.Count > 0)
        {
            var batch = _backlog.Take(MaxBatch).ToList();
            try
            {
                _connection ??= OpenMigrated();
                WriteInTransaction(_connection, batch, provider);
                if (batch.Any(w => w is PruneWrite)) provider.AfterPrune(_connection);
                for (var i = 0; i < batch.Count; i++) _backlog.RemoveFirst();
            }
            catch (Exception e) when (provider.IsRefusedWrite(e))
            {
                // A write the database refuses for its content (not its state) would block the queue for ever: drop it.
                for (var i = 0; i < batch.Count; i++) _backlog.RemoveFirst();
                Interlocked.Add(ref _dropped, batch.Count);
                SetStatus(false, $"{batch.Count} history write(s) were refused and dropped: {e.Message}");
                return false;
            }
            catch (Exception e) when (provider.IsUnavailable(e))
            {
                CloseConnection();
                SetStatus(false, provider.Describe(e));
                return false;
            }
        }
        SetStatus(true, null);
        return true;
    }

    private static void WriteInTransaction(DbConnection connection, List<HistoryWrite> batch, HistoryProvider provider)
    {
        var transaction = connection.BeginTransaction();
        try
        {
            foreach (var write in batch) write.Apply(connection, transaction, provider);
            transaction.Commit();
        }
        finally
        {
            // After SQLITE_FULL or an I/O error SQLite has already rolled back, and disposing the transaction throws
            // "no transaction is active"; a broken PostgreSQL connection cannot roll back either. The original error
            // is the one that matters.
            try { transaction.Dispose(); } catch (Exception e) when (e is DbException or InvalidOperationException) { }
        }
    }

    private void CloseConnection()
    {
        try { _connection?.Dispose(); } catch (Exception e) when (e is DbException or InvalidOperationException) { }
        _connection = null;
    }

    private DbConnection OpenMigrated()
    {
        try
        {
            _database.Migrate();
        }
        catch (Exception e)
        {
            var note = _database.Provider.RecoverFromCorruption(e, _time.GetUtcNow());
            if (note is null) throw;
            SetStatus(false, note);
            _database.Migrate();
        }
        return _database.Open();
    }

    private void SetStatus(bool healthy, string? problem)
    {
        var previous = _status;
        if (healthy && previous.IsHealthy && previous.DroppedWrites == Interlocked.Read(ref _dropped)) return;
        var since = healthy ? null : previous.IsHealthy ? _time.GetUtcNow() : previous.Since;
        _status = new HistoryStatus(healthy, problem, since, _backlog.Count + Volatile.Read(ref _queued), Interlocked.Read(ref _dropped), _database.Location);
        StatusChanged?.Invoke(_status);
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
