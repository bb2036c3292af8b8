using System.Collections.Immutable;

namespace Dashboard.Core.Maintenance;

/// <summary>Running: a step is being done or waited for. Paused: waiting for the operator (the reason says why). Both hold the cluster's lock.</summary>
public enum RunState { Running, Paused, Succeeded, Aborted }

public enum StepState
{
    Pending,

    /// <summary>The action (restart, stop, start) is under way.</summary>
    Acting,

    /// <summary>The action is done; the run waits for the ensemble to be healthy again.</summary>
    Waiting,

    Succeeded,
    Failed,

    /// <summary>The dashboard stopped while the action was under way: whether it happened is unknown.</summary>
    Interrupted,

    /// <summary>
    /// The step's action was interrupted and left its node down: on resume the run starts the node it took down
    /// itself (a start, never the whole action again), then waits for it as the step would have.
    /// </summary>
    Recovering,
}

public static class RunStates
{
    public static string Name(RunState state) => state.ToString().ToLowerInvariant();
    public static string Name(StepState state) => state.ToString().ToLowerInvariant();
}

/// <summary>How to resume a step whose action was already started: do it again, or only verify that the node is back.</summary>
public enum ResumeMode { Default, Retry, Verify }

public sealed record MaintenanceStep(int Index, NodeAction Action, int NodeId, string Node, bool IsObserver, string Control)
{
    public StepState State { get; init; }
    public DateTimeOffset? ActionStartedAt { get; init; }
    public DateTimeOffset? ActionFinishedAt { get; init; }
    public bool? ActionSucceeded { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>
    /// The leader's zxid just before the action: the point the node must reach again. For a Kafka broker step: the
    /// broker's epoch before the action (a restart must show a different one); one column serves both.
    /// </summary>
    public long? ZxidBefore { get; init; }
    public string? Outcome { get; init; }

    public static MaintenanceStep From(PlannedStep planned)
    {
        ArgumentNullException.ThrowIfNull(planned);
        return new(planned.Index, planned.Action, planned.NodeId, planned.Node, planned.IsObserver, planned.Control);
    }
}

/// <summary>
/// What a step waits for after its action: <see cref="Unmet"/> as of the last poll (empty while settling), since
/// <see cref="Since"/> (the start of the wait, or of the settle period once ready), until <see cref="Deadline"/>.
/// </summary>
public sealed record StepWait(int Step, DateTimeOffset Since, DateTimeOffset Deadline, IReadOnlyList<string> Unmet, DateTimeOffset? ReadySince)
{
    public bool Settling => ReadySince is not null;
}

public sealed record RunLogLine(DateTimeOffset At, string Level, string Message)
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Error = "error";
}

/// <summary>
/// One maintenance run as stored: its steps, where it is, and why it waits. Immutable; the executor saves each new
/// version before it acts, so what the database says is never behind what was done.
/// </summary>
public sealed record MaintenanceRun(string Id, string ClusterId, MaintenanceOperation Operation, string StartedBy, DateTimeOffset CreatedAt)
{
    public RunState State { get; init; }
    public ImmutableArray<MaintenanceStep> Steps { get; init; } = [];
    public int CurrentStep { get; init; }
    public string? PauseReason { get; init; }

    /// <summary>Paused on purpose: a node is away for maintenance until the operator resumes.</summary>
    public bool Held { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>What the running step waits for now, and since when; only while an executor drives the run (not stored).</summary>
    public StepWait? Wait { get; init; }

    /// <summary>The log, oldest first; only filled when a run is read with its log.</summary>
    public ImmutableArray<RunLogLine> Log { get; init; } = [];

    public bool IsActive => State is RunState.Running or RunState.Paused;

    public MaintenanceStep? Current => CurrentStep < Steps.Length ? Steps[CurrentStep] : null;

    public int StepsDone => Steps.Count(s => s.State == StepState.Succeeded);

    /// <summary>Nodes this run stopped on purpose and has not started again.</summary>
    public IReadOnlyCollection<int> Away =>
        Steps.Where(s => s.Action == NodeAction.Stop && s.State == StepState.Succeeded)
            .Select(s => s.NodeId)
            .Where(id => !Steps.Any(t => t.Action == NodeAction.Start && t.NodeId == id && t.State == StepState.Succeeded))
            .ToHashSet();

    /// <summary>
    /// Nodes this run may have taken down itself: those held away, and the current step's node while its restart or
    /// stop has started and the step has not finished. The run's own checks never refuse it because of these.
    /// </summary>
    public IReadOnlyCollection<int> TakenDown =>
        Current is { Action: NodeAction.Restart or NodeAction.Stop, ActionStartedAt: not null, State: not StepState.Succeeded } step
            ? [.. Away, step.NodeId]
            : Away;

    /// <summary>The current step's action was started but not known to have worked: resuming needs the operator's choice.</summary>
    public bool NeedsResumeChoice => Current is { ActionStartedAt: not null, ActionSucceeded: not true };
}
