using System.Data.Common;
using System.Collections.Immutable;
using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Runs, steps, logs and the per-cluster lock in the history database. Unlike history, these writes are synchronous
/// and transactional: a step is marked started on disk before its action runs, so after any crash the record says
/// at least as much as was done, and the lock row keeps a second run off the cluster across restarts.
/// </summary>
public sealed class MaintenanceStore(HistoryDatabase database, TimeProvider? time = null)
{
    public const int MaxLogMessage = 8_000;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private bool _migrated;

    /// <summary>Stores a new run and takes the cluster's lock, in one transaction; refuses when another run holds it.</summary>
    public MaintenanceRun Create(MaintenanceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Write(connection =>
        {
            // SQLite: BEGIN IMMEDIATE, so two dashboards cannot both take the lock; PostgreSQL: replicas meet on an advisory
            // lock for this cluster first (read committed alone would let both read "no holder").
            using var transaction = connection.BeginTransaction();
            database.Provider.LockForTransaction(connection, transaction, "maintenance-lock:" + run.ClusterId);
            var holder = connection.ExecuteScalar<string?>("SELECT run_id FROM maintenance_locks WHERE cluster_id = @ClusterId", new { run.ClusterId }, transaction);
            if (holder is not null)
            {
                var other = connection.QuerySingleOrDefault<RunRow>(RunColumns + " WHERE id = @Id", new { Id = holder }, transaction);
                throw new MaintenanceRefusedException($"Another maintenance run holds cluster '{run.ClusterId}'.",
                    [new(MaintenanceRules.OneRunPerCluster, run.ClusterId, false,
                        other is null ? $"membership change {holder} holds this cluster (the maintenance lock is shared)" : $"run {holder} ({other.Operation}, {other.State}) holds this cluster", $"finish or abort run {holder} first")])
                { IsConflict = true };
            }
            connection.Execute("INSERT INTO maintenance_locks (cluster_id, run_id, acquired_ms) VALUES (@ClusterId, @Id, @At)",
                new { run.ClusterId, run.Id, At = Ms(run.CreatedAt) }, transaction);
            connection.Execute(
                """
                INSERT INTO maintenance_runs (id, cluster_id, operation, state, started_by, created_ms, updated_ms, current_step, pause_reason, held)
                VALUES (@Id, @ClusterId, @Operation, @State, @StartedBy, @CreatedMs, @CreatedMs, @CurrentStep, @PauseReason, @Held)
                """,
                new
                {
                    run.Id, run.ClusterId, Operation = MaintenanceOperations.Name(run.Operation), State = RunStates.Name(run.State), run.StartedBy,
                    CreatedMs = Ms(run.CreatedAt), run.CurrentStep, run.PauseReason, Held = run.Held ? 1 : 0,
                }, transaction);
            SaveSteps(connection, transaction, run);
            transaction.Commit();
            return run;
        });
    }

    /// <summary>Saves a run's new state and steps; a run that ended releases the cluster's lock in the same transaction.</summary>
    public MaintenanceRun Save(MaintenanceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var saved = run with { UpdatedAt = _time.GetUtcNow() };
        Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(
                "UPDATE maintenance_runs SET state = @State, updated_ms = @UpdatedMs, finished_ms = @FinishedMs, current_step = @CurrentStep, pause_reason = @PauseReason, held = @Held WHERE id = @Id",
                new
                {
                    saved.Id, State = RunStates.Name(saved.State), UpdatedMs = Ms(saved.UpdatedAt), FinishedMs = saved.FinishedAt is { } f ? Ms(f) : (long?)null,
                    saved.CurrentStep, saved.PauseReason, Held = saved.Held ? 1 : 0,
                }, transaction);
            SaveSteps(connection, transaction, saved);
            if (!saved.IsActive) connection.Execute("DELETE FROM maintenance_locks WHERE run_id = @Id", new { saved.Id }, transaction);
            transaction.Commit();
            return 0;
        });
        return saved;
    }

    public void AppendLog(string runId, RunLogLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var message = line.Message.Length > MaxLogMessage ? line.Message[..MaxLogMessage] + "..." : line.Message;
        Write(connection => connection.Execute("INSERT INTO maintenance_log (run_id, at_ms, level, message) VALUES (@RunId, @At, @Level, @Message)",
            new { RunId = runId, At = Ms(line.At), line.Level, Message = message }));
    }

    public MaintenanceRun? Get(string runId, bool withLog = true) => Write(connection =>
    {
        var row = connection.QuerySingleOrDefault<RunRow>(RunColumns + " WHERE id = @Id", new { Id = runId });
        return row is null ? null : Load(connection, row, withLog);
    });

    /// <summary>The run that holds the cluster's lock, if any.</summary>
    public MaintenanceRun? Active(string clusterId) => Write(connection =>
    {
        var holder = connection.ExecuteScalar<string?>("SELECT run_id FROM maintenance_locks WHERE cluster_id = @ClusterId", new { ClusterId = clusterId });
        var row = holder is null ? null : connection.QuerySingleOrDefault<RunRow>(RunColumns + " WHERE id = @Id", new { Id = holder });
        return row is null ? null : Load(connection, row, withLog: false);
    });

    /// <summary>Newest first, without their logs.</summary>
    public IReadOnlyList<MaintenanceRun> List(string clusterId, int limit = 50) => Write(connection =>
        connection.Query<RunRow>(RunColumns + " WHERE cluster_id = @ClusterId ORDER BY created_ms DESC LIMIT @Limit", new { ClusterId = clusterId, Limit = limit })
            .Select(r => Load(connection, r, withLog: false)).ToList());

    /// <summary>Every run still marked running (after a restart: interrupted ones).</summary>
    public IReadOnlyList<MaintenanceRun> Running() => Write(connection =>
        connection.Query<RunRow>(RunColumns + " WHERE state = 'running'").Select(r => Load(connection, r, withLog: false)).ToList());

    private T Write<T>(Func<DbConnection, T> work)
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

    private void SaveSteps(DbConnection connection, DbTransaction transaction, MaintenanceRun run) =>
        connection.Execute(
            database.Provider.Upsert("maintenance_steps",
                "run_id, idx, action, node_id, node, observer, control, state, action_started_ms, action_finished_ms, action_succeeded, finished_ms, zxid_before, outcome",
                "run_id, idx",
                "VALUES (@RunId, @Index, @Action, @NodeId, @Node, @Observer, @Control, @State, @Started, @Finished, @Succeeded, @Done, @ZxidBefore, @Outcome)"),
            run.Steps.Select(s => new
            {
                RunId = run.Id, s.Index, Action = s.Action.ToString().ToLowerInvariant(), s.NodeId, s.Node, Observer = s.IsObserver ? 1 : 0, s.Control,
                State = RunStates.Name(s.State), Started = Ms(s.ActionStartedAt), Finished = Ms(s.ActionFinishedAt),
                Succeeded = s.ActionSucceeded is { } ok ? (ok ? 1 : 0) : (int?)null, Done = Ms(s.FinishedAt), s.ZxidBefore, s.Outcome,
            }), transaction);

    private static MaintenanceRun Load(DbConnection connection, RunRow row, bool withLog)
    {
        var steps = connection.Query<StepRow>(
            "SELECT idx AS Idx, action AS Action, node_id AS NodeId, node AS Node, observer AS Observer, control AS Control, state AS State, action_started_ms AS Started, action_finished_ms AS Finished, action_succeeded AS Succeeded, finished_ms AS Done, zxid_before AS ZxidBefore, outcome AS Outcome FROM maintenance_steps WHERE run_id = @Id ORDER BY idx",
            new { row.Id });
        var log = withLog
            ? connection.Query<LogRow>("SELECT at_ms AS At, level AS Level, message AS Message FROM maintenance_log WHERE run_id = @Id ORDER BY id", new { row.Id })
                .Select(l => new RunLogLine(At(l.At), l.Level, l.Message)).ToImmutableArray()
            : [];
        MaintenanceOperations.TryParse(row.Operation, out var operation);
        return new MaintenanceRun(row.Id, row.ClusterId, operation, row.StartedBy, At(row.CreatedMs))
        {
            State = Enum.Parse<RunState>(row.State, ignoreCase: true),
            CurrentStep = (int)row.CurrentStep,
            PauseReason = row.PauseReason,
            Held = row.Held != 0,
            UpdatedAt = At(row.UpdatedMs),
            FinishedAt = row.FinishedMs is { } f ? At(f) : null,
            Log = log,
            Steps = [.. steps.Select(s => new MaintenanceStep((int)s.Idx, Enum.Parse<NodeAction>(s.Action, ignoreCase: true), (int)s.NodeId, s.Node, s.Observer != 0, s.Control)
            {
                State = Enum.Parse<StepState>(s.State, ignoreCase: true),
                ActionStartedAt = s.Started is { } a ? At(a) : null,
                ActionFinishedAt = s.Finished is { } b ? At(b) : null,
                ActionSucceeded = s.Succeeded is { } ok ? ok != 0 : null,
                FinishedAt = s.Done is { } d ? At(d) : null,
                ZxidBefore = s.ZxidBefore,
                Outcome = s.Outcome,
            })],
        };
    }

    private const string RunColumns =
        "SELECT id AS Id, cluster_id AS ClusterId, operation AS Operation, state AS State, started_by AS StartedBy, created_ms AS CreatedMs, updated_ms AS UpdatedMs, finished_ms AS FinishedMs, current_step AS CurrentStep, pause_reason AS PauseReason, held AS Held FROM maintenance_runs";

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();
    private static long? Ms(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();
    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

#pragma warning disable CA1812 // created by Dapper
    private sealed class RunRow
    {
        public string Id { get; set; } = "";
        public string ClusterId { get; set; } = "";
        public string Operation { get; set; } = "";
        public string State { get; set; } = "";
        public string StartedBy { get; set; } = "";
        public long CreatedMs { get; set; }
        public long UpdatedMs { get; set; }
        public long? FinishedMs { get; set; }
        public long CurrentStep { get; set; }
        public string? PauseReason { get; set; }
        public long Held { get; set; }
    }

    private sealed class StepRow
    {
        public long Idx { get; set; }
        public string Action { get; set; } = "";
        public long NodeId { get; set; }
        public string Node { get; set; } = "";
        public long Observer { get; set; }
        public string Control { get; set; } = "";
        public string State { get; set; } = "";
        public long? Started { get; set; }
        public long? Finished { get; set; }
        public long? Succeeded { get; set; }
        public long? Done { get; set; }
        public long? ZxidBefore { get; set; }
        public string? Outcome { get; set; }
    }

    private sealed class LogRow
    {
        public long At { get; set; }
        public string Level { get; set; } = "";
        public string Message { get; set; } = "";
    }
#pragma warning restore CA1812
}
