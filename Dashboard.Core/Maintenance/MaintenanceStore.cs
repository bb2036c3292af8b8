using System.Data.Common;
using Dapper;
using Dashboard.Core.History;
using static Dashboard.Core.Maintenance.RunRow;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Runs, steps, logs and the per-cluster lock in the history database. Unlike history, these writes are synchronous
/// and transactional: a step is marked started on disk before its action runs, so after any crash the record says
/// at least as much as was done, and the lock row keeps a second run off the cluster across restarts.
/// </summary>
public sealed class MaintenanceStore(HistoryDatabase database, TimeProvider? time = null)
{
    public const int MaxLogMessage = RunRow.MaxLogMessage;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly RunRecords<MaintenanceRunRow> _records = new(database, "maintenance", "operation AS Operation, held AS Held",
        "run_id, idx, action, node_id, node, observer, control, state, action_started_ms, action_finished_ms, action_succeeded, finished_ms, zxid_before, outcome",
        "VALUES (@RunId, @Index, @Action, @NodeId, @Node, @Observer, @Control, @State, @Started, @Finished, @Succeeded, @Done, @ZxidBefore, @Outcome)");

    /// <summary>Stores a new run and takes the cluster's lock, in one transaction; refuses when another run holds it.</summary>
    public MaintenanceRun Create(MaintenanceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _records.Create(run.ClusterId, run.Id, run.CreatedAt,
            (holder, connection, transaction) =>
            {
                var other = _records.Run(connection, holder, transaction);
                return new MaintenanceRefusedException($"Another maintenance run holds cluster '{run.ClusterId}'.",
                    [new(MaintenanceRules.OneRunPerCluster, run.ClusterId, false,
                        other is null ? $"membership change {holder} holds this cluster (the maintenance lock is shared)" : $"run {holder} ({other.Operation}, {other.State}) holds this cluster", $"finish or abort run {holder} first")])
                { IsConflict = true };
            },
            """
            INSERT INTO maintenance_runs (id, cluster_id, operation, state, started_by, created_ms, updated_ms, current_step, pause_reason, held)
            VALUES (@Id, @ClusterId, @Operation, @State, @StartedBy, @CreatedMs, @CreatedMs, @CurrentStep, @PauseReason, @Held)
            """,
            new
            {
                run.Id, run.ClusterId, Operation = MaintenanceOperations.Name(run.Operation), State = RunStates.Name(run.State), run.StartedBy,
                CreatedMs = Ms(run.CreatedAt), run.CurrentStep, run.PauseReason, Held = run.Held ? 1 : 0,
            },
            Steps(run));
        return run;
    }

    /// <summary>Saves a run's new state and steps; a run that ended releases the cluster's lock in the same transaction.</summary>
    public MaintenanceRun Save(MaintenanceRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var saved = run with { UpdatedAt = _time.GetUtcNow() };
        _records.Save(saved.Id, saved.IsActive,
            "UPDATE maintenance_runs SET state = @State, updated_ms = @UpdatedMs, finished_ms = @FinishedMs, current_step = @CurrentStep, pause_reason = @PauseReason, held = @Held WHERE id = @Id",
            new
            {
                saved.Id, State = RunStates.Name(saved.State), UpdatedMs = Ms(saved.UpdatedAt), FinishedMs = Ms(saved.FinishedAt),
                saved.CurrentStep, saved.PauseReason, Held = saved.Held ? 1 : 0,
            },
            Steps(saved));
        return saved;
    }

    public void AppendLog(string runId, RunLogLine line) => _records.AppendLog(runId, line);

    public MaintenanceRun? Get(string runId, bool withLog = true) => _records.OnConnection(connection =>
        _records.Run(connection, runId) is { } row ? Load(connection, row, withLog) : null);

    /// <summary>The run that holds the cluster's lock, if any.</summary>
    public MaintenanceRun? Active(string clusterId) => _records.OnConnection(connection =>
        _records.LockHolder(connection, clusterId) is { } holder && _records.Run(connection, holder) is { } row ? Load(connection, row, withLog: false) : null);

    /// <summary>Newest first, without their logs.</summary>
    public IReadOnlyList<MaintenanceRun> List(string clusterId, int limit = 50) => _records.OnConnection(connection =>
        _records.Newest(connection, clusterId, limit).Select(r => Load(connection, r, withLog: false)).ToList());

    /// <summary>Every run still marked running (after a restart: interrupted ones).</summary>
    public IReadOnlyList<MaintenanceRun> Running() => _records.OnConnection(connection =>
        _records.Running(connection).Select(r => Load(connection, r, withLog: false)).ToList());

    private static IEnumerable<object> Steps(MaintenanceRun run) =>
        run.Steps.Select(s => new
        {
            RunId = run.Id, s.Index, Action = s.Action.ToString().ToLowerInvariant(), s.NodeId, s.Node, Observer = s.IsObserver ? 1 : 0, s.Control,
            State = RunStates.Name(s.State), Started = Ms(s.ActionStartedAt), Finished = Ms(s.ActionFinishedAt),
            Succeeded = s.ActionSucceeded is { } ok ? (ok ? 1 : 0) : (int?)null, Done = Ms(s.FinishedAt), s.ZxidBefore, s.Outcome,
        });

    private MaintenanceRun Load(DbConnection connection, MaintenanceRunRow row, bool withLog)
    {
        var steps = connection.Query<StepRow>(
            "SELECT idx AS Idx, action AS Action, node_id AS NodeId, node AS Node, observer AS Observer, control AS Control, state AS State, action_started_ms AS Started, action_finished_ms AS Finished, action_succeeded AS Succeeded, finished_ms AS Done, zxid_before AS ZxidBefore, outcome AS Outcome FROM maintenance_steps WHERE run_id = @Id ORDER BY idx",
            new { row.Id });
        MaintenanceOperations.TryParse(row.Operation, out var operation);
        return new MaintenanceRun(row.Id, row.ClusterId, operation, row.StartedBy, At(row.CreatedMs))
        {
            State = Enum.Parse<RunState>(row.State, ignoreCase: true),
            CurrentStep = (int)row.CurrentStep,
            PauseReason = row.PauseReason,
            Held = row.Held != 0,
            UpdatedAt = At(row.UpdatedMs),
            FinishedAt = At(row.FinishedMs),
            Log = _records.Log(connection, row.Id, withLog),
            Steps = [.. steps.Select(s => new MaintenanceStep((int)s.Idx, Enum.Parse<NodeAction>(s.Action, ignoreCase: true), (int)s.NodeId, s.Node, s.Observer != 0, s.Control)
            {
                State = Enum.Parse<StepState>(s.State, ignoreCase: true),
                ActionStartedAt = At(s.Started),
                ActionFinishedAt = At(s.Finished),
                ActionSucceeded = s.Succeeded is { } ok ? ok != 0 : null,
                FinishedAt = At(s.Done),
                ZxidBefore = s.ZxidBefore,
                Outcome = s.Outcome,
            })],
        };
    }

#pragma warning disable CA1812 // created by Dapper
    private sealed class MaintenanceRunRow : RunRow
    {
        public string Operation { get; set; } = "";
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
#pragma warning restore CA1812
}
