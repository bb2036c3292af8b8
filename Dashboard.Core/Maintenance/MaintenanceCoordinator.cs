using System.Collections.Concurrent;
using System.Collections.Immutable;
using Dashboard.Core.Access;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Plans, starts, pauses, resumes and aborts maintenance runs, and drives the ones running. One run per cluster
/// (the lock is in the database). After a restart, runs that were running are left paused with the reason, and a
/// step whose action had started is never done again unless the operator chooses retry; a node the interrupted
/// step left down is started (only started) on resume. Every action checks the asker's role here and audits refusals.
/// </summary>
public sealed class MaintenanceCoordinator : IAsyncDisposable
{
    private readonly MaintenanceStore _store;
    private readonly IMaintenanceTargets _targets;
    private readonly IAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, RunExecution> _executions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();
    private int _disposed;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public MaintenanceCoordinator(MaintenanceStore store, IMaintenanceTargets targets, IAuditLog? audit = null, TimeProvider? time = null)
    {
        _store = store;
        _targets = targets;
        _audit = audit;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Raised after every change of a run (state, step, log line), with the run as saved (without its log).</summary>
    public event Action<MaintenanceRun>? Changed;

    /// <summary>Calls <paramref name="changed"/> after each change of a run of this cluster (every cluster when null), for open screens.</summary>
    public IDisposable Subscribe(string? clusterId, Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        void OnChanged(MaintenanceRun run)
        {
            if (clusterId is null || run.ClusterId == clusterId) changed();
        }
        Changed += OnChanged;
        return new Live.Subscription(() => Changed -= OnChanged);
    }

    /// <summary>The run as stored, with what its step waits for now when it is being driven.</summary>
    public MaintenanceRun? Get(string runId) => WithWait(_store.Get(runId));

    public MaintenanceRun? Active(string clusterId) => WithWait(_store.Active(clusterId));

    private MaintenanceRun? WithWait(MaintenanceRun? run) =>
        run is not null && _executions.TryGetValue(run.Id, out var execution) && execution.Wait is { } wait && wait.Step == run.CurrentStep ? run with { Wait = wait } : run;

    public IReadOnlyList<MaintenanceRun> List(string clusterId, int limit = 50) => _store.List(clusterId, limit);

    /// <summary>The dry run: nothing is touched.</summary>
    public async Task<MaintenancePlan> PlanAsync(string clusterId, MaintenanceRequest request, CancellationToken cancellationToken = default)
    {
        var target = Target(clusterId);
        if (MaintenanceOperations.IsKafka(request.Operation))
            return await Kafka.BrokerRollPlanner.PlanAsync(target, request, _store.Active(clusterId), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var snapshot = await target.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return MaintenancePlanner.Plan(target.Cluster, snapshot, request, target.Controls, _store.Active(clusterId));
    }

    /// <summary>Plans, refuses unless every check passes, takes the cluster's lock and starts executing.</summary>
    public async Task<MaintenanceRun> StartAsync(string clusterId, MaintenanceRequest request, MaintenanceActor who, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Authorize(who, "start", $"{clusterId}/{MaintenanceOperations.Name(request.Operation)}");
        var user = who.Name;
        var target = Target(clusterId);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var plan = await PlanAsync(clusterId, request, cancellationToken).ConfigureAwait(false);
            if (!plan.CanStart)
                throw new MaintenanceRefusedException($"The {MaintenanceOperations.Name(request.Operation)} of '{clusterId}' was refused.", [.. plan.Refusals])
                { IsConflict = plan.Refusals.All(r => r.Rule == MaintenanceRules.OneRunPerCluster) };
            var now = _time.GetUtcNow();
            var run = new MaintenanceRun(Guid.NewGuid().ToString("N")[..12], clusterId, request.Operation, user, now)
            {
                State = RunState.Running, UpdatedAt = now, Steps = [.. plan.Steps.Select(MaintenanceStep.From)],
            };
            run = _store.Create(run);
            _store.AppendLog(run.Id, new RunLogLine(now, RunLogLine.Info,
                $"Started by {user}: {MaintenanceOperations.Name(request.Operation)} of {plan.Steps.Length} step(s): {string.Join(", ", plan.Steps.Select(s => $"{RunExecution.Verb(s.Action)} {s.Node}"))}."));
            Launch(run, target, request.ZooKeeperRiskAccepted);
            return run;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<MaintenanceRun> PauseAsync(string runId, MaintenanceActor who)
    {
        Authorize(who, "pause", $"run {runId}");
        var user = who.Name;
        var run = Existing(runId);
        if (Driving(runId) is { } execution)
        {
            execution.RequestPause(user);
            await WaitBrieflyAsync(execution).ConfigureAwait(false);
            return _store.Get(runId)!;
        }
        if (run.State == RunState.Paused) return run;
        throw Conflict(run, "pause");
    }

    public async Task<MaintenanceRun> AbortAsync(string runId, MaintenanceActor who)
    {
        Authorize(who, "abort", $"run {runId}");
        var user = who.Name;
        var run = Existing(runId);
        if (Driving(runId) is { } execution)
        {
            execution.RequestAbort(user);
            await WaitBrieflyAsync(execution).ConfigureAwait(false);
            run = Existing(runId);
            // Unless its loop had already paused the run before it saw the request: then the run is aborted here.
            if (!execution.Completion.IsCompleted || !run.IsActive) return _store.Get(runId)!;
        }
        if (!run.IsActive) throw Conflict(run, "abort");
        var now = _time.GetUtcNow();
        var away = run.TakenDown;
        run = _store.Save(run with { State = RunState.Aborted, FinishedAt = now, PauseReason = null, Held = false });
        _store.AppendLog(runId, new RunLogLine(now, RunLogLine.Warning, $"Aborted by {user}." + (away.Count > 0 ? $" Node(s) {string.Join(", ", away)} are still stopped: start them by hand." : "")));
        Changed?.Invoke(run);
        return _store.Get(runId)!;
    }

    /// <summary>
    /// Resumes a paused run after re-running the checks of its current step (refused, and still paused, when they
    /// fail). A step whose action was started but not known to have worked: when it left its node down, the run
    /// starts that node (whatever the mode) and then verifies; otherwise it needs <see cref="ResumeMode.Retry"/>
    /// (do it again) or <see cref="ResumeMode.Verify"/> (only wait for the node), unless the node shows it restarted.
    /// </summary>
    public async Task<MaintenanceRun> ResumeAsync(string runId, ResumeMode mode, MaintenanceActor who, CancellationToken cancellationToken = default)
    {
        Authorize(who, "resume", $"run {runId}");
        var user = who.Name;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var run = Existing(runId);
            if (run.State != RunState.Paused || Driving(runId) is not null) throw Conflict(run, "resume");
            var target = Target(run.ClusterId);
            var now = _time.GetUtcNow();
            var step = run.Current;
            var found = await InterruptedStepFoundAsync(target, run, cancellationToken).ConfigureAwait(false);
            if (found == StepFound.NodeDown) mode = ResumeMode.Default;
            else if (found == StepFound.Restarted && mode == ResumeMode.Default) mode = ResumeMode.Verify;
            if (step is not null && run.NeedsResumeChoice && mode == ResumeMode.Default && found != StepFound.NodeDown)
                throw new MaintenanceRefusedException("Say how to resume.",
                    [new("resume-choice", step.Node, false,
                        $"step {step.Index + 1}'s action ({RunExecution.Verb(step.Action)}) was started at {step.ActionStartedAt:HH:mm:ss} UTC and is not known to have worked ({step.Outcome ?? "interrupted"})",
                        "resume with retry to run the action again, or verify to only wait for the node to be back")]) { IsConflict = true };

            string note;
            if (step is not null && found == StepFound.NodeDown)
            {
                step = step with { State = StepState.Recovering };
                note = $"Resumed by {user}: {step.Node} is down after step {step.Index + 1}'s interrupted {RunExecution.Verb(step.Action)}, which this run had started: the run starts it, then waits for it.";
            }
            else if (step is { ActionStartedAt: not null } && mode == ResumeMode.Retry)
            {
                step = step with { State = StepState.Pending, ActionStartedAt = null, ActionFinishedAt = null, ActionSucceeded = null, ZxidBefore = null, Outcome = null };
                note = $"Resumed by {user}: step {step.Index + 1} ({RunExecution.Verb(step.Action)} {step.Node}) will be run again, as the operator chose.";
            }
            else if (step is { ActionStartedAt: not null })
            {
                step = step with { State = StepState.Waiting };
                note = $"Resumed by {user}: step {step.Index + 1}'s action is not repeated; the run only waits for {step.Node} to be ready.";
            }
            else note = $"Resumed by {user}.";

            if (step is { ActionStartedAt: null } || step is { State: StepState.Recovering })
            {
                // Checks first: a resume never acts on an unhealthy ensemble.
                // Bringing back the node the run took down is judged as a start: that node is expected to be away.
                var judged = step.State == StepState.Recovering ? step with { Action = NodeAction.Start } : step;
                var refusals = (await ChecksBeforeAsync(target, run, judged, cancellationToken).ConfigureAwait(false)).Where(c => !c.Passed).ToImmutableArray();
                if (!refusals.IsEmpty)
                {
                    var reason = $"resume refused, checks failed: {string.Join("; ", refusals)}";
                    run = _store.Save(run with { PauseReason = reason });
                    _store.AppendLog(runId, new RunLogLine(now, RunLogLine.Warning, $"Resume by {user} refused: {string.Join("; ", refusals)}."));
                    Changed?.Invoke(run);
                    throw new MaintenanceRefusedException("The checks failed; the run stays paused.", refusals);
                }
            }
            var steps = step is null ? run.Steps : run.Steps.SetItem(step.Index, step);
            run = _store.Save(run with { State = RunState.Running, PauseReason = null, Held = false, Steps = steps });
            _store.AppendLog(runId, new RunLogLine(now, RunLogLine.Info, note));
            Launch(run, target);
            return run;
        }
        finally
        {
            _gate.Release();
        }
    }

    private enum StepFound { NotInterrupted, NodeDown, Restarted, Unknown }

    /// <summary>
    /// For a step whose restart (or start) was started but not known to have worked: what a fresh poll shows of its
    /// node. Down means this run took it down itself (the step's record says its action began), so it is started.
    /// </summary>
    private static async Task<StepFound> InterruptedStepFoundAsync(MaintenanceTarget target, MaintenanceRun run, CancellationToken cancellationToken)
    {
        if (run.Current is not { ActionStartedAt: { } started, ActionSucceeded: not true, Action: NodeAction.Restart or NodeAction.Start } step
            || MaintenanceOperations.IsKafka(run.Operation)) return StepFound.NotInterrupted;
        var snapshot = await target.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var node = snapshot.Nodes.FirstOrDefault(n => n.Id == step.NodeId);
        if (node is null) return StepFound.Unknown;
        if (node.Role == Ensemble.NodeRole.Down) return StepFound.NodeDown;
        return node.IsServing && StepReadiness.ShowsRestart(node, snapshot.TakenAt - started) ? StepFound.Restarted : StepFound.Unknown;
    }

    private static async Task<ImmutableArray<MaintenanceCheck>> ChecksBeforeAsync(MaintenanceTarget target, MaintenanceRun run, MaintenanceStep step, CancellationToken cancellationToken)
    {
        if (!MaintenanceOperations.IsKafka(run.Operation))
            return MaintenanceChecks.BeforeStep(await target.Reader.ReadAsync(cancellationToken).ConfigureAwait(false), step.Action, step.NodeId, run.TakenDown);
        // A resume is judged afresh: an acknowledgement given at the start is not carried over.
        var zooKeeper = MaintenanceChecks.ZooKeeperCanLoseVoter(await target.Reader.ReadAsync(cancellationToken).ConfigureAwait(false), accepted: false);
        return target.Kafka is { } kafka
            ? [.. await kafka.Checks.BeforeRestartAsync(target.Cluster.Id, step.NodeId, cancellationToken).ConfigureAwait(false), zooKeeper]
            : [new(Kafka.BrokerRollPlanner.KafkaPresent, target.Cluster.Id, false, "no Kafka cluster is known on this ensemble", "wait until the monitor finds the Kafka cluster")];
    }

    /// <summary>Runs this process is executing now (replicas renew a lease for each, so the others know it lives).</summary>
    public IReadOnlyCollection<string> ExecutingRunIds => [.. _executions.Keys];

    /// <summary>
    /// Pauses runs marked running that no one executes any more. <paramref name="executedElsewhere"/> tells the
    /// runs a live replica executes (replicas on one database); without it, every run not executed here is interrupted.
    /// </summary>
    public int RecoverInterrupted(Func<MaintenanceRun, bool>? executedElsewhere = null)
    {
        var runs = _store.Running().Where(r => !_executions.ContainsKey(r.Id) && executedElsewhere?.Invoke(r) != true).ToList();
        foreach (var run in runs)
        {
            var step = run.Current;
            var now = _time.GetUtcNow();
            var steps = run.Steps;
            if (step is { State: StepState.Acting })
            {
                step = step with { State = StepState.Interrupted, Outcome = "the dashboard stopped while this action was under way: whether it happened is unknown" };
                steps = steps.SetItem(step.Index, step);
            }
            var reason = step is null ? "the dashboard restarted" :
                $"the dashboard executing it stopped during step {step.Index + 1} ({RunExecution.Verb(step.Action)} {step.Node})" +
                (step.ActionStartedAt is null ? "; resume to go on" : "; its action had started: resume with verify (wait for the node) or retry (do it again); a node it left down is started first either way");
            var saved = _store.Save(run with { State = RunState.Paused, PauseReason = reason, Steps = steps });
            _store.AppendLog(run.Id, new RunLogLine(now, RunLogLine.Warning, $"Paused: {reason}."));
            Changed?.Invoke(saved);
        }
        return runs.Count;
    }

    /// <summary>The role check every action passes first; a refusal is audited here, whoever called.</summary>
    private void Authorize(MaintenanceActor who, string action, string subject)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (who.MayAct) return;
        var role = who.Role?.Name() ?? "none";
        _audit?.Record(new AuditEntry(_time.GetUtcNow(), who.Name, null, "maintenance-" + action, subject, AuditOutcome.Failed)
            { Detail = $"refused: role {role}, {MaintenanceActor.Required.Name()} needed" });
        throw new MaintenanceRefusedException($"Maintenance needs the {MaintenanceActor.Required.Name()} role.",
            [new(MaintenanceRules.Role, who.Name, false, $"has the role {role}", $"sign in as an {MaintenanceActor.Required.Name()} or admin")]) { IsForbidden = true };
    }

    private void Launch(MaintenanceRun run, MaintenanceTarget target, bool zooKeeperRiskAccepted = false)
    {
        var execution = new RunExecution(run, _store, target, _audit, _time, r => Changed?.Invoke(r), _shutdown.Token, zooKeeperRiskAccepted);
        _executions[run.Id] = execution;
        // Removes this execution only: a resume may already have registered the next one under the same id.
        _ = execution.Completion.ContinueWith(_ => _executions.TryRemove(new KeyValuePair<string, RunExecution>(run.Id, execution)), TaskScheduler.Default);
        Changed?.Invoke(run);
    }

    /// <summary>The execution still driving the run; one whose loop has ended (its removal may lag) does not count.</summary>
    private RunExecution? Driving(string runId) =>
        _executions.TryGetValue(runId, out var execution) && !execution.Completion.IsCompleted ? execution : null;

    private static async Task WaitBrieflyAsync(RunExecution execution)
    {
        // Waits stop at once; an action under way (bounded by its own timeout) is allowed to finish in the background.
        try { await execution.Completion.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (TimeoutException) { }
    }

    private MaintenanceTarget Target(string clusterId) => _targets.Find(clusterId)
        ?? throw new MaintenanceRefusedException($"No cluster has the id '{clusterId}'.", [new(MaintenanceRules.NodeKnown, clusterId, false, "no such cluster", "use the id of a configured cluster")]);

    private MaintenanceRun Existing(string runId) => _store.Get(runId, withLog: false)
        ?? throw new KeyNotFoundException($"No maintenance run has the id '{runId}'.");

    private static MaintenanceRefusedException Conflict(MaintenanceRun run, string what) =>
        new($"Run {run.Id} is {RunStates.Name(run.State)}: it cannot {what}.",
            [new("run-state", run.Id, false, $"the run is {RunStates.Name(run.State)}", what == "resume" ? "only a paused run resumes" : "only an active run can")]) { IsConflict = true };

    /// <summary>
    /// Pauses every run under way (the dashboard is stopping) and waits for them to say so: a node action under way
    /// is finished first, so this waits up to the longest action bound of the runs' clusters
    /// (<see cref="MaintenanceShutdown.Allowance"/>, which the host's shutdown timeout is set to cover).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        // The host's stop and the container's disposal both call this, at times at once: only the first one acts.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        var executions = _executions.Values.ToArray();
        foreach (var execution in executions) execution.NoteShutdown();
        await _shutdown.CancelAsync().ConfigureAwait(false);
        var bound = MaintenanceShutdown.Allowance(executions.Select(e => e.Cluster));
        try { await Task.WhenAll(executions.Select(e => e.Completion)).WaitAsync(bound).ConfigureAwait(false); }
        catch (TimeoutException) { }
        _shutdown.Dispose();
        _gate.Dispose();
    }
}
