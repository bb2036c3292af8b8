using System.Collections.Immutable;
using System.Data.Common;
using Dapper;
using Dashboard.Core.History;
using static Dashboard.Core.Maintenance.RunRow;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// What maintenance and membership runs keep alike in the history database: a kind's run, step and log rows
/// (<c>{kind}_runs</c>, <c>{kind}_steps</c>, <c>{kind}_log</c>) and the per-cluster lock every kind shares
/// (<c>maintenance_locks</c>), so that a restart, a roll and a membership change never hold one cluster at once.
/// Each call opens a connection of its own, the schema brought up to date before the first; calls through one
/// store take turns.
/// </summary>
/// <typeparam name="TRow">The kind's run row: the columns every kind has and those named in <c>runColumns</c>.</typeparam>
internal sealed class RunRecords<TRow>(HistoryDatabase database, string kind, string runColumns, string stepColumns, string stepValues)
    where TRow : RunRow
{
    private readonly string _selectRuns = $"SELECT {RunRow.Columns}, {runColumns} FROM {kind}_runs";
    private readonly Lock _gate = new();
    private bool _migrated;

    /// <summary>Runs <paramref name="work"/> on a connection of its own, after the other calls through this store.</summary>
    public T OnConnection<T>(Func<DbConnection, T> work)
    {
        lock (_gate)
        {
            if (!_migrated)
            {
                database.Migrate();
                _migrated = true;
            }
            using var connection = database.Open();
            return work(connection);
        }
    }

    /// <summary>
    /// Stores a new run (<paramref name="insertRun"/> with <paramref name="run"/>, then its steps) and takes its
    /// cluster's lock, in one transaction; when another run holds the cluster, throws what <paramref name="refusal"/>
    /// makes of the holder's id (it may read more in the same transaction).
    /// </summary>
    public void Create(string clusterId, string runId, DateTimeOffset at, Func<string, DbConnection, DbTransaction, MaintenanceRefusedException> refusal,
        string insertRun, object run, IEnumerable<object> steps) =>
        OnConnection(connection =>
        {
            // SQLite: BEGIN IMMEDIATE, so two dashboards cannot both take the lock; PostgreSQL: replicas meet on an advisory
            // lock for this cluster first (read committed alone would let both read "no holder").
            using var transaction = connection.BeginTransaction();
            database.Provider.LockForTransaction(connection, transaction, "maintenance-lock:" + clusterId);
            if (LockHolder(connection, clusterId, transaction) is { } holder) throw refusal(holder, connection, transaction);
            connection.Execute("INSERT INTO maintenance_locks (cluster_id, run_id, acquired_ms) VALUES (@ClusterId, @RunId, @At)",
                new { ClusterId = clusterId, RunId = runId, At = Ms(at) }, transaction);
            connection.Execute(insertRun, run, transaction);
            SaveSteps(connection, transaction, steps);
            transaction.Commit();
            return 0;
        });

    /// <summary>Saves a run's new state (<paramref name="updateRun"/>) and steps; a run that ended releases its cluster's lock in the same transaction.</summary>
    public void Save(string runId, bool active, string updateRun, object run, IEnumerable<object> steps) =>
        OnConnection(connection =>
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(updateRun, run, transaction);
            SaveSteps(connection, transaction, steps);
            if (!active) connection.Execute("DELETE FROM maintenance_locks WHERE run_id = @RunId", new { RunId = runId }, transaction);
            transaction.Commit();
            return 0;
        });

    public TRow? Run(DbConnection connection, string runId, DbTransaction? transaction = null) =>
        connection.QuerySingleOrDefault<TRow>(_selectRuns + " WHERE id = @Id", new { Id = runId }, transaction);

    /// <summary>The cluster's runs, newest first.</summary>
    public IEnumerable<TRow> Newest(DbConnection connection, string clusterId, int limit) =>
        connection.Query<TRow>(_selectRuns + " WHERE cluster_id = @ClusterId ORDER BY created_ms DESC LIMIT @Limit", new { ClusterId = clusterId, Limit = limit });

    /// <summary>Every run still marked running (after a restart: interrupted ones, unless a live replica drives them).</summary>
    public IEnumerable<TRow> Running(DbConnection connection) => connection.Query<TRow>(_selectRuns + " WHERE state = 'running'");

    /// <summary>The run (of any kind) holding the cluster's lock, if any.</summary>
    public string? LockHolder(DbConnection connection, string clusterId, DbTransaction? transaction = null) =>
        connection.ExecuteScalar<string?>("SELECT run_id FROM maintenance_locks WHERE cluster_id = @ClusterId", new { ClusterId = clusterId }, transaction);

    // Every step of the run, replacing the rows stored before (the key is the run and the step's index).
    private void SaveSteps(DbConnection connection, DbTransaction transaction, IEnumerable<object> steps) =>
        connection.Execute(database.Provider.Upsert(kind + "_steps", stepColumns, "run_id, idx", stepValues), steps, transaction);

    public void AppendLog(string runId, RunLogLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var message = line.Message.Length > RunRow.MaxLogMessage ? line.Message[..RunRow.MaxLogMessage] + "..." : line.Message;
        OnConnection(connection => connection.Execute($"INSERT INTO {kind}_log (run_id, at_ms, level, message) VALUES (@RunId, @At, @Level, @Message)",
            new { RunId = runId, At = Ms(line.At), line.Level, Message = message }));
    }

    /// <summary>The run's log, oldest line first; empty unless asked for (lists and live updates go without it).</summary>
    public ImmutableArray<RunLogLine> Log(DbConnection connection, string runId, bool withLog) => withLog
        ? [.. connection.Query<LogRow>($"SELECT at_ms AS At, level AS Level, message AS Message FROM {kind}_log WHERE run_id = @Id ORDER BY id", new { Id = runId })
            .Select(l => new RunLogLine(At(l.At), l.Level, l.Message))]
        : [];

#pragma warning disable CA1812 // created by Dapper
    private sealed class LogRow
    {
        public long At { get; set; }
        public string Level { get; set; } = "";
        public string Message { get; set; } = "";
    }
#pragma warning restore CA1812
}
