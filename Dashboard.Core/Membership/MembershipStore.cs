using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Dashboard.Core.History;
using Dashboard.Core.Maintenance;
using System.Data.Common;
using static Dashboard.Core.Maintenance.RunRow;

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
    private readonly RunRecords<MembershipRunRow> _records = new(database, "membership", "change_json AS ChangeJson, settings_update AS SettingsUpdate",
        "run_id, idx, kind, server_ids, joining, leaving, voters_before, voters_after, state, from_version, to_version, started_ms, finished_ms, outcome",
        "VALUES (@RunId, @Index, @Kind, @ServerIds, @Joining, @Leaving, @Before, @After, @State, @FromVersion, @ToVersion, @Started, @Finished, @Outcome)");

    /// <summary>The run (maintenance or membership) holding the cluster's lock, if any.</summary>
    public string? LockHolder(string clusterId) => _records.OnConnection(connection => _records.LockHolder(connection, clusterId));

    public MembershipRun Create(MembershipRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _records.Create(run.ClusterId, run.Id, run.CreatedAt,
            (holder, _, _) => new MaintenanceRefusedException($"Run {holder} holds cluster '{run.ClusterId}'.",
                [new(MembershipRules.OneChangeInFlight, run.ClusterId, false, $"run {holder} holds this cluster", $"let run {holder} finish, or abort it")]) { IsConflict = true },
            """
            INSERT INTO membership_runs (id, cluster_id, state, started_by, change_json, created_ms, updated_ms, current_step, pause_reason)
            VALUES (@Id, @ClusterId, @State, @StartedBy, @Change, @Created, @Created, @CurrentStep, @PauseReason)
            """,
            new { run.Id, run.ClusterId, State = RunStates.Name(run.State), run.StartedBy, Change = ChangeJson(run.Change), Created = Ms(run.CreatedAt), run.CurrentStep, run.PauseReason },
            Steps(run));
        return run;
    }

    /// <summary>Saves the run and its steps; a run that ended releases the lock in the same transaction.</summary>
    public MembershipRun Save(MembershipRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var saved = run with { UpdatedAt = _time.GetUtcNow() };
        _records.Save(saved.Id, saved.IsActive,
            "UPDATE membership_runs SET state = @State, updated_ms = @Updated, finished_ms = @Finished, current_step = @CurrentStep, pause_reason = @PauseReason, settings_update = @SettingsUpdate WHERE id = @Id",
            new
            {
                saved.Id, State = RunStates.Name(saved.State), Updated = Ms(saved.UpdatedAt), Finished = Ms(saved.FinishedAt),
                saved.CurrentStep, saved.PauseReason, saved.SettingsUpdate,
            },
            Steps(saved));
        return saved;
    }

    public void AppendLog(string runId, RunLogLine line) => _records.AppendLog(runId, line);

    public MembershipRun? Get(string runId, bool withLog = true) => _records.OnConnection(connection =>
        _records.Run(connection, runId) is { } row ? Load(connection, row, withLog) : null);

    public IReadOnlyList<MembershipRun> List(string clusterId, int limit = 20) => _records.OnConnection(connection =>
        _records.Newest(connection, clusterId, limit).Select(r => Load(connection, r, withLog: false)).ToList());

    public IReadOnlyList<MembershipRun> Running() => _records.OnConnection(connection =>
        _records.Running(connection).Select(r => Load(connection, r, withLog: false)).ToList());

    private static IEnumerable<object> Steps(MembershipRun run) =>
        run.Steps.Select(s => new
        {
            RunId = run.Id, s.Index, Kind = MembershipChange.Name(s.Kind), ServerIds = Ids(s.ServerIds), s.Joining, s.Leaving,
            Before = Ids(s.VotersBefore), After = Ids(s.VotersAfter), State = RunStates.Name(s.State), s.FromVersion, s.ToVersion,
            Started = Ms(s.StartedAt), Finished = Ms(s.FinishedAt), s.Outcome,
        });

    private MembershipRun Load(DbConnection connection, MembershipRunRow row, bool withLog)
    {
        var steps = connection.Query<StepRow>(
            "SELECT idx AS Idx, kind AS Kind, server_ids AS ServerIds, joining AS Joining, leaving AS Leaving, voters_before AS Before, voters_after AS After, state AS State, from_version AS FromVersion, to_version AS ToVersion, started_ms AS Started, finished_ms AS Finished, outcome AS Outcome FROM membership_steps WHERE run_id = @Id ORDER BY idx",
            new { row.Id });
        return new MembershipRun(row.Id, row.ClusterId, ParseChange(row.ChangeJson), row.StartedBy, At(row.CreatedMs))
        {
            State = Enum.Parse<RunState>(row.State, ignoreCase: true),
            CurrentStep = (int)row.CurrentStep,
            PauseReason = row.PauseReason,
            UpdatedAt = At(row.UpdatedMs),
            FinishedAt = At(row.FinishedMs),
            SettingsUpdate = row.SettingsUpdate,
            Log = _records.Log(connection, row.Id, withLog),
            Steps = [.. steps.Select(s =>
            {
                MembershipChange.TryParseKind(s.Kind, out var kind);
                return new MembershipRunStep((int)s.Idx, kind, ParseIds(s.ServerIds), s.Joining, s.Leaving, ParseIds(s.Before), ParseIds(s.After))
                {
                    State = Enum.Parse<StepState>(s.State, ignoreCase: true), FromVersion = s.FromVersion, ToVersion = s.ToVersion,
                    StartedAt = At(s.Started), FinishedAt = At(s.Finished), Outcome = s.Outcome,
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

#pragma warning disable CA1812 // created by Dapper
    private sealed class MembershipRunRow : RunRow
    {
        public string ChangeJson { get; set; } = "";
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
#pragma warning restore CA1812
}
