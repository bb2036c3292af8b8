using System.Diagnostics;
using Dashboard.Core.Access;
using Dashboard.Core.Ensemble;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Executes one run, step after step, until it succeeds, pauses or is aborted. Each step: re-read the ensemble
/// (rolling restarts re-read leadership and keep the leader last), re-check, save the step as started, act, then
/// wait until the node serves in its role, has caught up, the leader counts it synced and the ensemble has stayed
/// healthy for the settle period. Any failure or timeout pauses with the reason; it never moves on while unhealthy.
/// Pause, abort and the dashboard stopping interrupt waits at once; an action under way is never cancelled by them
/// (a half-made restart leaves a node down): it ends on its own, bounded by the control's action timeout, and its
/// result is saved before the run pauses.
/// </summary>
internal sealed partial class RunExecution
{
    private readonly MaintenanceStore _store;
    private readonly MaintenanceTarget _target;
    private readonly IAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly Action<MaintenanceRun> _changed;
    private readonly CancellationTokenSource _interrupt = new();
    private readonly CancellationToken _shutdown;
    private volatile string? _pauseBy;
    private volatile string? _abortBy;

    public RunExecution(MaintenanceRun run, MaintenanceStore store, MaintenanceTarget target, IAuditLog? audit, TimeProvider time, Action<MaintenanceRun> changed, CancellationToken shutdown,
        bool zooKeeperRiskAccepted = false)
    {
        ZooKeeperRiskAccepted = zooKeeperRiskAccepted; // before the loop starts
        Run = run;
        _store = store;
        _target = target;
        _audit = audit;
        _time = time;
        _changed = changed;
        _shutdown = shutdown;
        Completion = Task.Run(LoopAsync);
    }

    public MaintenanceRun Run { get; private set; }

    /// <summary>Broker rolls: the operator accepted rolling while ZooKeeper cannot lose a voter (for this execution only).</summary>
    public bool ZooKeeperRiskAccepted { get; }

    /// <summary>What the current step waits for, as of the last poll; null when it is not waiting.</summary>
    public StepWait? Wait { get; private set; }

    public Task Completion { get; }

    public Clusters.ClusterDefinition Cluster => _target.Cluster;

    private MaintenanceSettings Settings => _target.Cluster.Maintenance;

    public void RequestPause(string by)
    {
        _pauseBy = by;
        Log(RunLogLine.Info, $"Pause requested by {by}" + (Run.Current?.State == StepState.Acting ? ": the run pauses once the action under way has finished." : "."));
        Interrupt();
    }

    public void RequestAbort(string by)
    {
        _abortBy = by;
        Log(RunLogLine.Warning, $"Abort requested by {by}" + (Run.Current?.State == StepState.Acting ? ": the run stops once the action under way has finished." : "."));
        Interrupt();
    }

    /// <summary>The dashboard is stopping: waits end now; an action under way is finished first, and the log says so.</summary>
    public void NoteShutdown()
    {
        if (Run.Current is { State: StepState.Acting } step)
            Log(RunLogLine.Warning, $"The dashboard is stopping during step {step.Index + 1} ({Verb(step.Action)} {step.Node}): the action under way is finished first, not cancelled.");
    }

    private void Interrupt()
    {
        try { _interrupt.Cancel(); } catch (ObjectDisposedException) { }
    }

    private async Task LoopAsync()
    {
        try
        {
            while (true)
            {
                if (_abortBy is { } abortedBy) { End(RunState.Aborted, $"Aborted by {abortedBy}."); return; }
                if (_pauseBy is { } pausedBy) { Pause($"paused by {pausedBy}"); return; }
                if (_shutdown.IsCancellationRequested) { Pause(ShutdownReason()); return; }
                if (Run.Current is not { } step) { End(RunState.Succeeded, $"All {Run.Steps.Length} step(s) done."); return; }
                try
                {
                    if (!await StepAsync(step).ConfigureAwait(false)) return;
                }
                catch (OperationCanceledException) when (_interrupt.IsCancellationRequested || _shutdown.IsCancellationRequested)
                {
                    // The loop's head says what happens now (pause, abort or shutdown).
                }
            }
        }
        catch (Exception e)
        {
            // A bug or a database failure must never leave a run marked running with nothing driving it.
            try { Pause($"unexpected error: {e.Message}"); } catch (Exception) { /* the next start marks it interrupted */ }
        }
        finally
        {
            _interrupt.Dispose();
        }
    }

    /// <summary>Runs (or continues) one step; false when the run paused and this loop ends.</summary>
    private async Task<bool> StepAsync(MaintenanceStep step)
    {
        var number = $"Step {step.Index + 1}/{Run.Steps.Length}";
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_interrupt.Token, _shutdown);
        var token = linked.Token;
        var kafka = MaintenanceOperations.IsKafka(Run.Operation);
        if (step.Action == NodeAction.PreferredElection) return await ElectAsync(step, number, token).ConfigureAwait(false);
        if (step.State == StepState.Recovering)
        {
            if (!await BringBackAsync(step, number, token).ConfigureAwait(false)) return false;
            step = Run.Current!;
        }
        else if (step.ActionStartedAt is null)
        {
            if (!await (kafka ? PrepareBrokerAsync(step, number, token) : PrepareNodeAsync(step, number, token)).ConfigureAwait(false)) return false;
            step = Run.Current!;
        }

        var unmet = await WaitAsync(step, kafka ? BrokerUnmet(step) : NodeUnmet(step), token).ConfigureAwait(false);
        if (unmet is not null)
        {
            Pause($"{number}: {step.Node} was not ready within {Seconds(Timeout(step))}: {unmet}");
            return false;
        }
        var now = _time.GetUtcNow();
        Update(Run with { CurrentStep = Run.CurrentStep + 1 }, step with { State = StepState.Succeeded, FinishedAt = now, Outcome = Done(step) });
        Log(RunLogLine.Info, $"{number} done: {Done(step)} after {Seconds(now - step.ActionStartedAt!.Value)}.");
        if (step.Action == NodeAction.Stop)
        {
            Update(Run with { State = RunState.Paused, Held = true, PauseReason = $"{step.Node} is away for maintenance since {now:HH:mm:ss} UTC: resume to start it again" });
            Log(RunLogLine.Info, $"Holding: {step.Node} stays stopped until the operator resumes.");
            return false;
        }
        return true;
    }

    /// <summary>A ZooKeeper node's step up to its action: re-read, leader last, re-check, act. False when the run paused.</summary>
    private async Task<bool> PrepareNodeAsync(MaintenanceStep step, string number, CancellationToken token)
    {
        var snapshot = await _target.Reader.ReadAsync(token).ConfigureAwait(false);
        if (Run.Operation is MaintenanceOperation.Restart or MaintenanceOperation.RollingRestart) step = KeepLeaderLast(snapshot, step);
        var refusals = MaintenanceChecks.BeforeStep(snapshot, step.Action, step.NodeId, Run.Away).Where(c => !c.Passed).ToList();
        if (refusals.Count > 0)
        {
            Pause($"{number} ({Verb(step.Action)} {step.Node}) refused: {string.Join("; ", refusals)}");
            return false;
        }
        var definition = MaintenancePlanner.DefinitionOf(_target.Cluster, snapshot.Nodes.First(n => n.Id == step.NodeId));
        var control = _target.Controls(definition, out var problem);
        return await ActAsync(step, definition, control, problem, snapshot.Leader?.Zxid?.Value, number).ConfigureAwait(false);
    }

    /// <summary>
    /// An interrupted step left its node down: start the node the run took down itself (never the whole action
    /// again), then wait for it as the step would have. The checks are a start's: the node itself is expected away.
    /// </summary>
    private async Task<bool> BringBackAsync(MaintenanceStep step, string number, CancellationToken token)
    {
        var snapshot = await _target.Reader.ReadAsync(token).ConfigureAwait(false);
        var refusals = MaintenanceChecks.BeforeStep(snapshot, NodeAction.Start, step.NodeId, Run.TakenDown).Where(c => !c.Passed).ToList();
        if (refusals.Count > 0)
        {
            Pause($"{number} (start {step.Node}, which this run took down) refused: {string.Join("; ", refusals)}");
            return false;
        }
        var definition = MaintenancePlanner.DefinitionOf(_target.Cluster, snapshot.Nodes.First(n => n.Id == step.NodeId));
        var control = _target.Controls(definition, out var problem);
        Log(RunLogLine.Info, $"{number}: {step.Node} is down after the interrupted {Verb(step.Action)}: starting it (the run took it down itself).");
        return await ActAsync(step, definition, control, problem, snapshot.Leader?.Zxid?.Value, number, NodeAction.Start).ConfigureAwait(false);
    }

    /// <summary>What a ZooKeeper step still waits for in one poll; remembers whether the node was seen to go away.</summary>
    private Func<CancellationToken, Task<IReadOnlyList<string>>> NodeUnmet(MaintenanceStep step)
    {
        var wentAway = step.Action != NodeAction.Restart;
        return async token =>
        {
            var snapshot = await _target.Reader.ReadAsync(token).ConfigureAwait(false);
            wentAway |= StepReadiness.ShowsRestart(snapshot.Nodes.FirstOrDefault(n => n.Id == step.NodeId), _time.GetUtcNow() - step.ActionStartedAt!.Value);
            return StepReadiness.Unmet(snapshot, step, Run.Away, wentAway);
        };
    }

    /// <summary>Rolling restarts: leadership can move between steps, so the node that leads now goes last.</summary>
    private MaintenanceStep KeepLeaderLast(EnsembleSnapshot snapshot, MaintenanceStep step)
    {
        var pending = Run.Steps.Skip(Run.CurrentStep).Where(s => s.State == StepState.Pending).ToList();
        var byNode = pending.Select(s => (Step: s, Node: snapshot.Nodes.FirstOrDefault(n => n.Id == s.NodeId))).Where(p => p.Node is not null).ToList();
        var first = byNode.OrderBy(p => p.Node!.Role == NodeRole.Leader ? 2 : p.Step.IsObserver ? 0 : 1).ThenBy(p => p.Step.Index).Select(p => p.Step).FirstOrDefault();
        if (first is null || first.Index == step.Index) return step;
        return GoFirst(step, first, $"Leadership re-read: {step.Node} leads now, so it goes last; {first.Node} goes first.");
    }

    /// <summary>Swaps what two pending steps act on; their places (indexes) stay.</summary>
    private MaintenanceStep GoFirst(MaintenanceStep step, MaintenanceStep first, string why)
    {
        var now = step with { NodeId = first.NodeId, Node = first.Node, IsObserver = first.IsObserver, Control = first.Control };
        var later = first with { NodeId = step.NodeId, Node = step.Node, IsObserver = step.IsObserver, Control = step.Control };
        Update(Run, now, later);
        Log(RunLogLine.Info, why);
        return now;
    }

    /// <summary>
    /// Acts on the node; <paramref name="before"/> is what the wait compares against (the leader's zxid, or the
    /// broker's epoch); <paramref name="doing"/> is the action when it is not the step's own (bringing a node back).
    /// </summary>
    private async Task<bool> ActAsync(MaintenanceStep step, Clusters.NodeDefinition definition, INodeControl? control, string? problem, long? before, string number, NodeAction? doing = null)
    {
        var action = doing ?? step.Action;
        // Saved before acting: after a crash the record says the action may have happened, so it is never repeated blindly.
        step = step with { State = StepState.Acting, ActionStartedAt = _time.GetUtcNow(), ActionFinishedAt = null, ActionSucceeded = null, ZxidBefore = before };
        Update(Run, step);
        Log(RunLogLine.Info, $"{number}: {Verb(action)} {step.Node} ({(control is null ? "no control" : control.Describe(action, definition))}).");
        var clock = Stopwatch.StartNew();
        NodeControlResult result;
        if (control is null) result = NodeControlResult.Failed(problem ?? "no node control");
        else
        {
            try
            {
                // Never cancelled by pause, abort or shutdown: a restart cut between its stop and its start leaves the
                // node down. The control's own action timeout bounds it; the host's shutdown timeout covers that.
                result = await control.RunAsync(action, definition, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                result = NodeControlResult.Failed($"{control.Kind} control failed: {e.Message}");
            }
        }
        step = step with
        {
            State = result.Succeeded ? StepState.Waiting : StepState.Failed, ActionFinishedAt = _time.GetUtcNow(),
            ActionSucceeded = result.Succeeded, Outcome = result.Summary,
        };
        Update(Run, step);
        Log(result.Succeeded ? RunLogLine.Info : RunLogLine.Error, $"{number}: {result.Summary} ({clock.Elapsed.TotalSeconds:0.0} s)." + (result.Output is { } o ? "\n" + o : ""));
        _audit?.Record(new AuditEntry(_time.GetUtcNow(), Run.StartedBy, null, "maintenance-step", $"{Run.ClusterId}/node {step.NodeId}",
            result.Succeeded ? AuditOutcome.Succeeded : AuditOutcome.Failed) { Detail = $"run {Run.Id} {number}: {Verb(action)}: {result.Summary}" });
        if (!result.Succeeded)
        {
            Pause($"{number} ({Verb(action)} {step.Node}) failed: {result.Summary}. Nothing else was touched; resume with retry to run it again, or verify if you did it by hand");
            return false;
        }
        return true;
    }

    /// <summary>Null when the step's node is ready and the ensemble stayed healthy for the settle period; else what was missing at the timeout.</summary>
    private async Task<string?> WaitAsync(MaintenanceStep step, Func<CancellationToken, Task<IReadOnlyList<string>>> poll, CancellationToken cancellationToken)
    {
        var timeout = Timeout(step);
        var clock = Stopwatch.StartNew();
        var lastUnmet = "no poll yet";
        TimeSpan? readySince = null;
        var announced = false;
        var since = _time.GetUtcNow();
        var deadline = since + timeout;
        try
        {
            while (true)
            {
                var unmet = await poll(cancellationToken).ConfigureAwait(false);
                var now = _time.GetUtcNow();
                var previous = Wait;
                Wait = new StepWait(step.Index, since, deadline, unmet, unmet.Count == 0 ? previous?.ReadySince ?? now : null);
                if (previous is null || !previous.Unmet.SequenceEqual(unmet) || previous.Settling != Wait.Settling) _changed(Run);
                if (unmet.Count == 0)
                {
                    readySince ??= clock.Elapsed;
                    if (!announced)
                    {
                        Log(RunLogLine.Info, $"{step.Node} is ready; settling for {Seconds(Settings.SettlePeriod)}.");
                        announced = true;
                    }
                    if (clock.Elapsed - readySince >= Settings.SettlePeriod) return null;
                }
                else
                {
                    if (readySince is not null) Log(RunLogLine.Warning, $"Unhealthy again while settling: {string.Join("; ", unmet)}.");
                    readySince = null;
                    announced = false;
                    lastUnmet = string.Join("; ", unmet);
                }
                if (clock.Elapsed > timeout) return lastUnmet;
                await Task.Delay(Settings.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Wait = null;
        }
    }

    private TimeSpan Timeout(MaintenanceStep step) =>
        (MaintenanceOperations.IsKafka(Run.Operation) ? _target.Cluster.Maintenance.BrokerControl : _target.Cluster.ControlFor(_target.Cluster.Nodes.FirstOrDefault(n => n.Id == step.NodeId) ?? new(string.Empty, 0)))?.Kind == NodeControlKind.Manual
            ? Settings.ManualStepTimeout : Settings.StepTimeout;

    private string ShutdownReason() => Run.Current switch
    {
        null => "the dashboard stopped",
        { ActionSucceeded: true } step => $"the dashboard stopped during step {step.Index + 1} ({Verb(step.Action)} {step.Node}) after its action had finished ({step.Outcome}); resume to verify the node and go on",
        var step => $"the dashboard stopped during step {step.Index + 1} ({Verb(step.Action)} {step.Node}); resume to go on",
    };

    private void Pause(string reason)
    {
        var step = Run.Current;
        if (step is { State: StepState.Acting }) step = step with { State = StepState.Interrupted };
        Update(Run with { State = RunState.Paused, PauseReason = reason, Held = false }, step is null ? [] : [step]);
        Log(RunLogLine.Warning, $"Paused: {reason}.");
    }

    private void End(RunState state, string message)
    {
        Update(Run with { State = state, FinishedAt = _time.GetUtcNow(), PauseReason = null, Held = false });
        Log(state == RunState.Succeeded ? RunLogLine.Info : RunLogLine.Warning, message + (Run.Away.Count > 0 ? $" Node(s) {string.Join(", ", Run.Away)} are still stopped: start them by hand." : ""));
        _audit?.Record(new AuditEntry(_time.GetUtcNow(), Run.StartedBy, null, "maintenance-" + RunStates.Name(state), $"{Run.ClusterId}/run {Run.Id}",
            state == RunState.Succeeded ? AuditOutcome.Succeeded : AuditOutcome.Failed) { Detail = message });
    }

    private void Update(MaintenanceRun run, params MaintenanceStep[] steps)
    {
        var all = run.Steps;
        foreach (var s in steps) all = all.SetItem(s.Index, s);
        Run = _store.Save(run with { Steps = all });
        _changed(Run);
    }

    private void Log(string level, string message)
    {
        _store.AppendLog(Run.Id, new RunLogLine(_time.GetUtcNow(), level, message));
        _changed(Run);
    }

    internal static string Verb(NodeAction action) => action switch
    {
        NodeAction.Restart => "restart",
        NodeAction.Stop => "stop",
        NodeAction.PreferredElection => "request",
        _ => "start",
    };

    private string Done(MaintenanceStep step) => step.Action switch
    {
        NodeAction.PreferredElection => "the controller ran the preferred leader election",
        _ when MaintenanceOperations.IsKafka(Run.Operation) => $"{step.Node} re-registered with a new epoch; no under-replicated partitions",
        NodeAction.Stop => $"{step.Node} is away and the ensemble is healthy without it",
        _ => $"{step.Node} serves as {(step.IsObserver ? "observer" : "a voter")}, caught up and synced",
    };

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.#} s";
}
