using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Dashboard.Core.History;
using Dashboard.Core.Maintenance;
using System.Data.Common;

namespace Dashboard.Core.Membership;

/// <summary>
/// Membership runs, steps and logs in the history database, beside maintenance runs and sharing their per-cluster
/// lock (<c>maintenance_locks</c>): a membership change never runs while a restart or roll holds the cluster, nor two
/// changes at once. Writes are synchronous and transactional, as for maintenance: a step is on disk as started
/// before its reconfig is sent.
/// </summary>
public sealed class MembershipStore(HistoryDatabase database, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private bool _migrated;

    /// <summary>The run (maintenance or membership) holding the cluster's lock, if any.</summary>
    public string? LockHolder(string clusterId) => Write(connection =>
        connection.ExecuteScalar<string?>("SELECT run_id FROM maintenance_locks WHERE cluster_id = @ClusterId", new { ClusterId = clusterId }));

    public MembershipRun Create(MembershipRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            // The same per-cluster lock key as maintenance runs: replicas on PostgreSQL meet on it before reading the holder.
            database.Provider.LockForTransaction(connection, transaction, "maintenance-lock:" + run.ClusterId);
            var holder = connection.ExecuteScalar<string?>("SELECT run_id FROM maintenance_locks WHERE cluster_id = @ClusterId", new { run.ClusterId }, transaction);
            if (holder is not null)
                throw new MaintenanceRefusedException($"Run {holder} holds cluster '{run.ClusterId}'.",
                    [new(MembershipRules.OneChangeInFlight, run.ClusterId, false, $"run {holder} holds this cluster", $"let run {holder} finish, or abort it")]) { IsConflict = true };
            connection.Execute("INSERT INTO maintenance_locks (cluster_id, run_id, acquired_ms) VALUES (@ClusterId, @Id, @At)",
                new { run.ClusterId, run.Id, At = Ms(run.CreatedAt) }, transaction);
            connection.Execute(
                """
                INSERT INTO membership_runs (id, cluster_id, state, started_by, change_json, created_ms, updated_ms, current_step, pause_reason)
                VALUES (@Id, @ClusterId, @State, @StartedBy, @Change, @Created, @Created, @CurrentStep, @PauseReason)
                """,
                new { run.Id, run.ClusterId, State = RunStates.Name(run.State), run.StartedBy, Change = ChangeJson(run.Change), Created = Ms(run.CreatedAt), run.CurrentStep, run.PauseReason },
                transaction);
            SaveSteps(connection, transaction, run);
            transaction.Commit();
            return run;
        });
    }

    /// <summary>Saves the run and its steps; a run that ended releases the lock in the same transaction.</summary>
    public MembershipRun Save(MembershipRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var saved = run with { UpdatedAt = _time.GetUtcNow() };
        Write(connection =>
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(
                "UPDATE membership_runs SET state = @State, updated_ms = @Updated, finished_ms = @Finished, current_step = @CurrentStep, pause_reason = @PauseReason, settings_update = @SettingsUpdate WHERE id = @Id",
                new
                {
                    saved.Id, State = RunStates.Name(saved.State), Updated = Ms(saved.UpdatedAt), Finished = saved.FinishedAt is { } f ? Ms(f) : (long?)null,
                    saved.CurrentStep, saved.PauseReason, saved.SettingsUpdate,
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
        var message = line.Message.Length > MaintenanceStore.MaxLogMessage ? line.Message[..MaintenanceStore.MaxLogMessage] + "..." : line.Message;
        Write(connection => connection.Execute("INSERT INTO membership_log (run_id, at_ms, level, message) VALUES (@RunId, @At, @Level, @Message)",
            new { RunId = runId, At = Ms(line.At), line.Level, Message = message }));
    }

    public MembershipRun? Get(string runId, bool withLog = true) => Write(connection =>
    {
        var row = connection.QuerySingleOrDefault<RunRow>(RunColumns + " WHERE id = @Id", new { Id = runId });
        return row is null ? null : Load(connection, row, withLog);
    });

    public IReadOnlyList<MembershipRun> List(string clusterId, int limit = 20) => Write(connection =>
        connection.Query<RunRow>(RunColumns + " WHERE cluster_id = @ClusterId ORDER BY created_ms DESC LIMIT @Limit", new { ClusterId = clusterId, Limit = limit })
            .Select(r => Load(connection, r, withLog: false)).ToList());

    public IReadOnlyList<MembershipRun> Running() => Write(connection =>
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

    private void SaveSteps(DbConnection connection, DbTransaction transaction, MembershipRun run) =>
        connection.Execute(
            database.Provider.Upsert("membership_steps",
                "run_id, idx, kind, server_ids, joining, leaving, voters_before, voters_after, state, from_version, to_version, started_ms, finished_ms, outcome",
                "run_id, idx",
                "VALUES (@RunId, @Index, @Kind, @ServerIds, @Joining, @Leaving, @Before, @After, @State, @FromVersion, @ToVersion, @Started, @Finished, @Outcome)"),
            run.Steps.Select(s => new
            {
                RunId = run.Id, s.Index, Kind = MembershipChange.Name(s.Kind), ServerIds = Ids(s.ServerIds), s.Joining, s.Leaving,
                Before = Ids(s.VotersBefore), After = Ids(s.VotersAfter), State = RunStates.Name(s.State), s.FromVersion, s.ToVersion,
                Started = s.StartedAt is { } a ? Ms(a) : (long?)null, Finished = s.FinishedAt is { } b ? Ms(b) : (long?)null, s.Outcome,
            }), transaction);

    private static MembershipRun Load(DbConnection connection, RunRow row, bool withLog)
    {
        var steps = connection.Query<StepRow>(
            "SELECT idx AS Idx, kind AS Kind, server_ids AS ServerIds, joining AS Joining, leaving AS Leaving, voters_before AS Before, voters_after AS After, state AS State, from_version AS FromVersion, to_version AS ToVersion, started_ms AS Started, finished_ms AS Finished, outcome AS Outcome FROM membership_steps WHERE run_id = @Id ORDER BY idx",
            new { row.Id });
        var log = withLog
            ? connection.Query<LogRow>("SELECT at_ms AS At, level AS Level, message AS Message FROM membership_log WHERE run_id = @Id ORDER BY id", new { row.Id })
                .Select(l => new RunLogLine(At(l.At), l.Level, l.Message)).ToImmutableArray()
            : [];
        return new MembershipRun(row.Id, row.ClusterId, ParseChange(row.ChangeJson), row.StartedBy, At(row.CreatedMs))
        {
            State = Enum.Parse<RunState>(row.State, ignoreCase: true),
            CurrentStep = (int)row.CurrentStep,
            PauseReason = row.PauseReason,
            UpdatedAt = At(row.UpdatedMs),
            FinishedAt = row.FinishedMs is { } f ? At(f) : null,
            SettingsUpdate = row.SettingsUpdate,
            Log = log,
            Steps = [.. steps.Select(s =>
            {
                MembershipChange.TryParseKind(s.Kind, out var kind);
                return new MembershipRunStep((int)s.Idx, kind, ParseIds(s.ServerIds), s.Joining, s.Leaving, ParseIds(s.Before), ParseIds(s.After))
                {
                    State = Enum.Parse<StepState>(s.State, ignoreCase: true), FromVersion = s.FromVersion, ToVersion = s.ToVersion,
                    StartedAt = s.Started is { } a ? At(a) : null, FinishedAt = s.Finished is { } b ? At(b) : null, Outcome = s.Outcome,
                };
            })],
        };
    }

    // The change is kept whole (it is small): a resume re-judges the steps with the same acknowledgement and bounds.
    private static string ChangeJson(MembershipChange change) => JsonSerializer.Serialize(new ChangeRecord(
        MembershipChange.Name(change.Kind), [.. change.ServerIds], change.Host, change.QuorumPort, change.ElectionPort, change.ClientPort,
        change.Datacenter, change.Acknowledgement, change.MaxZxidLag));

    private static MembershipChange ParseChange(string json)
    {
        var r = JsonSerializer.Deserialize<ChangeRecord>(json) ?? throw new InvalidDataException("A stored membership change is empty.");
        MembershipChange.TryParseKind(r.Kind, out var kind);
        return new MembershipChange(kind, [.. r.Ids])
        {
            Host = r.Host, QuorumPort = r.QuorumPort, ElectionPort = r.ElectionPort, ClientPort = r.ClientPort,
            Datacenter = r.Datacenter, Acknowledgement = r.Acknowledgement, MaxZxidLag = r.MaxZxidLag,
        };
    }

    private sealed record ChangeRecord(string Kind, int[] Ids, string? Host, int? QuorumPort, int? ElectionPort, int? ClientPort, string? Datacenter, string? Acknowledgement, long MaxZxidLag);

    private static string Ids(ImmutableArray<int> ids) => string.Join(',', ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    private static ImmutableArray<int> ParseIds(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture))];

    private const string RunColumns =
        "SELECT id AS Id, cluster_id AS ClusterId, state AS State, started_by AS StartedBy, change_json AS ChangeJson, created_ms AS CreatedMs, updated_ms AS UpdatedMs, finished_ms AS FinishedMs, current_step AS CurrentStep, pause_reason AS PauseReason, settings_update AS SettingsUpdate FROM membership_runs";

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();
    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

#pragma warning disable CA1812 // created by Dapper
    private sealed class RunRow
    {
        public string Id { get; set; } = "";
        public string ClusterId { get; set; } = "";
        public string State { get; set; } = "";
        public string StartedBy { get; set; } = "";
        public string ChangeJson { get; set; } = "";
        public long CreatedMs { get; set; }
        public long UpdatedMs { get; set; }
        public long? FinishedMs { get; set; }
        public long CurrentStep { get; set; }
        public string? PauseReason { get; set; }
        public string? SettingsUpdate { get; set; }
    }

    private sealed class StepRow
    {
        public long Idx { get; set; }
        public string Kind { get; set; } = "";
        public string ServerIds { get; set; } = "";
        public string? Joining { get; set; }
        public string? Leaving { get; set; }
        public string Before { get; set; } = "";
        public string After { get; set; } = "";
        public string State { get; set; } = "";
        public long? FromVersion { get; set; }
        public long? ToVersion { get; set; }
        public long? Started { get; set; }
        public long? Finished { get; set; }
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
