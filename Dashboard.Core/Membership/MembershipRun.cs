using System.Collections.Immutable;
using Dashboard.Core.Maintenance;

namespace Dashboard.Core.Membership;

/// <summary>
/// One reconfig of a run as stored. <see cref="FromVersion"/> is the config version it names (saved before the call),
/// <see cref="ToVersion"/> the version it produced; a step started without a known result is judged on resume by
/// whether the configuration already shows its effect.
/// </summary>
public sealed record MembershipRunStep(int Index, MembershipChangeKind Kind, ImmutableArray<int> ServerIds, string? Joining, string? Leaving,
    ImmutableArray<int> VotersBefore, ImmutableArray<int> VotersAfter)
{
    public StepState State { get; init; }
    public long? FromVersion { get; init; }
    public long? ToVersion { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Outcome { get; init; }

    public MembershipStepPlan AsPlan() => new(Index, Kind, ServerIds, Joining, Leaving, VotersBefore, VotersAfter);

    public static MembershipRunStep From(MembershipStepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new(plan.Index, plan.Kind, plan.ServerIds, plan.Joining, plan.Leaving, plan.VotersBefore, plan.VotersAfter);
    }
}

/// <summary>A membership change as run: its steps, where it is, why it waits, and (when done) the settings lines to update.</summary>
public sealed record MembershipRun(string Id, string ClusterId, MembershipChange Change, string StartedBy, DateTimeOffset CreatedAt)
{
    public RunState State { get; init; }
    public ImmutableArray<MembershipRunStep> Steps { get; init; } = [];
    public int CurrentStep { get; init; }
    public string? PauseReason { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>After success: the settings lines that describe the new membership (the dashboard already follows it).</summary>
    public string? SettingsUpdate { get; init; }

    public ImmutableArray<RunLogLine> Log { get; init; } = [];

    public bool IsActive => State is RunState.Running or RunState.Paused;

    public MembershipRunStep? Current => CurrentStep < Steps.Length ? Steps[CurrentStep] : null;
}
