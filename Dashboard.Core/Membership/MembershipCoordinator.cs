using System.Collections.Concurrent;
using System.Collections.Immutable;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;

namespace Dashboard.Core.Membership;

/// <summary>Where a membership change finds its cluster, and how the dashboard follows the new membership afterwards.</summary>
public interface IMembershipTargets
{
    ClusterDefinition? Find(string clusterId);

    /// <summary>Replaces the cluster's definition by one that follows the new membership (the nodes polled from now on).</summary>
    void Follow(ClusterDefinition followed);
}

/// <summary>How long a step waits for every server to report the new config version, and how often it looks.</summary>
public sealed record MembershipTimings
{
    public TimeSpan ConfigWait { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// Plans, starts, resumes and aborts membership changes, and drives the ones running. The role is <b>admin</b>, not
/// operator: a restart leaves the ensemble as configured, a reconfig rewrites the configuration every server keeps
/// (the voter set, and with it what the quorum is), as the settings and ACLs do that are admin's too; and ZooKeeper
/// itself allows it only to its superuser. Every action checks the role here and audits, whoever called (page, API, test).
/// </summary>
public sealed class MembershipCoordinator : IAsyncDisposable
{
    public const DashboardRole Required = DashboardRole.Admin;

    private readonly MembershipStore _store;
    private readonly IMembershipTargets _targets;
    private readonly IAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly MembershipTimings _timings;
    private readonly ConcurrentDictionary<string, MembershipExecution> _executions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _disposed;

    public MembershipCoordinator(MembershipStore store, IMembershipTargets targets, IAuditLog? audit = null, TimeProvider? time = null, MembershipTimings? timings = null)
    {
        _store = store;
        _targets = targets;
        _audit = audit;
        _time = time ?? TimeProvider.System;
        _timings = timings ?? new MembershipTimings();
    }

    public event Action<MembershipRun>? Changed;

    /// <summary>Calls <paramref name="changed"/> after each change of a run of this cluster (every cluster when null), for open screens.</summary>
    public IDisposable Subscribe(string? clusterId, Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        void OnChanged(MembershipRun run)
        {
            if (clusterId is null || run.ClusterId == clusterId) changed();
        }
        Changed += OnChanged;
        return new Live.Subscription(() => Changed -= OnChanged);
    }

    public MembershipRun? Get(string runId) => _store.Get(runId);

    public IReadOnlyList<MembershipRun> List(string clusterId, int limit = 20) => _store.List(clusterId, limit);

    /// <summary>The dry run: reads the configuration and every server, judges the change; nothing is touched.</summary>
    public async Task<MembershipPlan> PlanAsync(string clusterId, MembershipChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var cluster = Cluster(clusterId);
        await using var client = await MembershipReader.OpenAsync(cluster, cancellationToken).ConfigureAwait(false);
        var view = await MembershipReader.ReadAsync(cluster, client, change, _time, cancellationToken).ConfigureAwait(false);
        return MembershipPlanner.Plan(cluster, view, change, _store.LockHolder(clusterId), _time.GetUtcNow());
    }

    /// <summary>Plans and starts in one go (the API's and tests' shortcut); refused unless every check passes.</summary>
    public async Task<MembershipRun> StartAsync(string clusterId, MembershipChange change, MaintenanceActor who, CancellationToken cancellationToken = default)
    {
        Authorize(who, "start", $"{clusterId}/{change}");
        var plan = await PlanAsync(clusterId, change, cancellationToken).ConfigureAwait(false);
        return await StartAsync(plan, who, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a plan as it was shown: its checks are judged again on a fresh read, but its first reconfig names the
    /// config version the plan read, so a change anyone made since is refused by the servers instead of overwritten.
    /// </summary>
    public async Task<MembershipRun> StartAsync(MembershipPlan plan, MaintenanceActor who, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Authorize(who, "start", $"{plan.ClusterId}/{plan.Change}");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fresh = await PlanAsync(plan.ClusterId, plan.Change, cancellationToken).ConfigureAwait(false);
            if (!fresh.CanStart)
            {
                _audit?.Record(new AuditEntry(_time.GetUtcNow(), who.Name, null, "membership-start", $"{plan.ClusterId}/{plan.Change}", AuditOutcome.Failed)
                    { Detail = "refused: " + string.Join("; ", fresh.Refusals) });
                throw new MaintenanceRefusedException($"The membership change of '{plan.ClusterId}' ({plan.Change}) was refused.", [.. fresh.Refusals])
                    { IsConflict = fresh.Refusals.All(r => r.Rule == MembershipRules.OneChangeInFlight) };
            }
            var now = _time.GetUtcNow();
            var run = new MembershipRun(Guid.NewGuid().ToString("N")[..12], plan.ClusterId, plan.Change, who.Name, now)
            {
                State = RunState.Running, UpdatedAt = now, Steps = [.. plan.Steps.Select(MembershipRunStep.From)],
            };
            run = _store.Create(run);
            _store.AppendLog(run.Id, new RunLogLine(now, RunLogLine.Info,
                $"Started by {who.Name}: {plan.Change}, {plan.Steps.Length} step(s) from config version {MembershipView.VersionText(plan.FromConfigVersion)}: {string.Join("; ", plan.Steps.Select(s => s.Description))}."));
            _audit?.Record(new AuditEntry(now, who.Name, null, "membership-start", $"{plan.ClusterId}/{plan.Change}", AuditOutcome.Succeeded)
                { Before = $"config version {MembershipView.VersionText(plan.FromConfigVersion)}", After = string.Join("\n", plan.ConfigAfter), Detail = $"run {run.Id}" });
            Launch(run, plan.FromConfigVersion);
            return run;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Resumes a paused run. A step whose reconfig was sent without a known answer is judged by the configuration:
    /// when it already shows the step's effect the run only waits for the servers; otherwise the step is checked
    /// again and sent from the current version (the operator has seen the configuration as it is).
    /// </summary>
    public async Task<MembershipRun> ResumeAsync(string runId, MaintenanceActor who, CancellationToken cancellationToken = default)
    {
        Authorize(who, "resume", $"run {runId}");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var run = Existing(runId);
            if (run.State != RunState.Paused || _executions.ContainsKey(runId))
                throw new MaintenanceRefusedException($"Run {runId} is {RunStates.Name(run.State)}: only a paused run resumes.",
                    [new("run-state", runId, false, $"the run is {RunStates.Name(run.State)}", "only a paused run resumes")]) { IsConflict = true };
            run = _store.Save(run with { State = RunState.Running, PauseReason = null });
            _store.AppendLog(runId, new RunLogLine(_time.GetUtcNow(), RunLogLine.Info, $"Resumed by {who.Name}."));
            _audit?.Record(new AuditEntry(_time.GetUtcNow(), who.Name, null, "membership-resume", $"run {runId}", AuditOutcome.Succeeded));
            Launch(run, fromVersion: null);
            return run;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<MembershipRun> AbortAsync(string runId, MaintenanceActor who)
    {
        Authorize(who, "abort", $"run {runId}");
        if (_executions.TryGetValue(runId, out var execution))
        {
            execution.RequestStop();
            await execution.Completion.ConfigureAwait(false);
        }
        var run = Existing(runId);
        if (run.IsActive)
        {
            run = _store.Save(run with { State = RunState.Aborted, FinishedAt = _time.GetUtcNow(), PauseReason = $"aborted by {who.Name}" });
            _store.AppendLog(runId, new RunLogLine(_time.GetUtcNow(), RunLogLine.Warning, $"Aborted by {who.Name}; the configuration stays as the steps done left it."));
            Changed?.Invoke(run);
        }
        _audit?.Record(new AuditEntry(_time.GetUtcNow(), who.Name, null, "membership-abort", $"run {runId}", AuditOutcome.Succeeded));
        return run;
    }

    /// <summary>Waits until the run is no longer driven (it succeeded, paused or was aborted) and returns it as stored.</summary>
    public async Task<MembershipRun> WaitAsync(string runId, TimeSpan timeout)
    {
        if (_executions.TryGetValue(runId, out var execution)) await execution.Completion.WaitAsync(timeout).ConfigureAwait(false);
        return Existing(runId);
    }

    /// <summary>Runs this process is driving now (replicas renew a lease for each, so the others know it lives).</summary>
    public IReadOnlyCollection<string> ExecutingRunIds => [.. _executions.Keys];

    /// <summary>
    /// Runs still marked running that no one drives any more were cut off; they become paused with the reason, and
    /// resume decides by the configuration. <paramref name="executedElsewhere"/> tells the runs a live replica drives
    /// (replicas on one database); without it, every run not driven here is interrupted (one dashboard, at start).
    /// </summary>
    public int RecoverInterrupted(Func<MembershipRun, bool>? executedElsewhere = null)
    {
        var runs = _store.Running().Where(r => !_executions.ContainsKey(r.Id) && executedElsewhere?.Invoke(r) != true).ToList();
        var who = executedElsewhere is null ? "the dashboard restarted" : "the dashboard driving it stopped";
        foreach (var run in runs)
        {
            var steps = run.Current is { State: StepState.Acting } acting
                ? run.Steps.SetItem(acting.Index, acting with { State = StepState.Interrupted, Outcome = "the dashboard stopped while this reconfig was sent: resume reads the configuration to tell whether it happened" })
                : run.Steps;
            var saved = _store.Save(run with { State = RunState.Paused, Steps = steps, PauseReason = who + "; resume to go on" });
            _store.AppendLog(run.Id, new RunLogLine(_time.GetUtcNow(), RunLogLine.Warning, $"Paused: {who}."));
            Changed?.Invoke(saved);
        }
        return runs.Count;
    }

    private void Launch(MembershipRun run, long? fromVersion)
    {
        var cluster = Cluster(run.ClusterId);
        var execution = new MembershipExecution(run, fromVersion, cluster, _store, _targets, _audit, _time, _timings, r => Changed?.Invoke(r), _shutdown.Token);
        _executions[run.Id] = execution;
        _ = execution.Completion.ContinueWith(_ => _executions.TryRemove(new KeyValuePair<string, MembershipExecution>(run.Id, execution)), TaskScheduler.Default);
        Changed?.Invoke(run);
    }

    private void Authorize(MaintenanceActor who, string action, string subject)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (who.Role is { } role && role.Includes(Required)) return;
        var held = who.Role?.Name() ?? "none";
        _audit?.Record(new AuditEntry(_time.GetUtcNow(), who.Name, null, "membership-" + action, subject, AuditOutcome.Denied)
            { Detail = $"refused: role {held}, {Required.Name()} needed" });
        throw new MaintenanceRefusedException($"Membership changes need the {Required.Name()} role.",
            [new(MembershipRules.Role, who.Name, false, $"has the role {held}", $"sign in as an {Required.Name()}")]) { IsForbidden = true };
    }

    private ClusterDefinition Cluster(string clusterId) => _targets.Find(clusterId)
        ?? throw new MaintenanceRefusedException($"No cluster has the id '{clusterId}'.", [new(MaintenanceRules.NodeKnown, clusterId, false, "no such cluster", "use the id of a configured cluster")]);

    private MembershipRun Existing(string runId) => _store.Get(runId, withLog: false) ?? throw new KeyNotFoundException($"No membership run has the id '{runId}'.");

    /// <summary>Stops driving runs (the dashboard is stopping): a reconfig under way is answered first; the run is left running and paused at the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_executions.Values.Select(e => e.Completion)).WaitAsync(TimeSpan.FromSeconds(35)).ConfigureAwait(false); }
        catch (TimeoutException) { }
        _shutdown.Dispose();
        _gate.Dispose();
    }
}
