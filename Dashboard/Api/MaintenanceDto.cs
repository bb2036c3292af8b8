using Dashboard.Core.Maintenance;

namespace Dashboard.Api;

/// <summary>The JSON shapes of plans and runs: our own, so internal records can change without breaking scripts.</summary>
internal static class MaintenanceDto
{
    public static object Check(MaintenanceCheck c) => new { rule = c.Rule, subject = c.Subject, passed = c.Passed, detail = c.Detail, toPass = c.ToPass };

    public static object Plan(MaintenancePlan p) => new
    {
        clusterId = p.ClusterId,
        operation = MaintenanceOperations.Name(p.Operation),
        canStart = p.CanStart,
        checkedAt = p.CheckedAt,
        steps = p.Steps.Select(s => new
        {
            index = s.Index + 1, action = s.Action.ToString().ToLowerInvariant(), nodeId = s.NodeId, node = s.Node,
            observer = s.IsObserver, expectedRole = s.ExpectedRole, control = s.Control, waits = s.Waits,
        }),
        checks = p.Checks.Select(Check),
        refusals = p.Refusals.Select(Check),
    };

    public static object Run(MaintenanceRun r) => new
    {
        id = r.Id,
        clusterId = r.ClusterId,
        operation = MaintenanceOperations.Name(r.Operation),
        state = RunStates.Name(r.State),
        startedBy = r.StartedBy,
        createdAt = r.CreatedAt,
        updatedAt = r.UpdatedAt,
        finishedAt = r.FinishedAt,
        pauseReason = r.PauseReason,
        held = r.Held,
        needsResumeChoice = r.NeedsResumeChoice,
        currentStep = r.Current is { } c ? c.Index + 1 : (int?)null,
        stepsDone = r.StepsDone,
        awayNodeIds = r.Away,
        takenDownNodeIds = r.TakenDown,
        waiting = r.Wait is { } w ? new { since = w.Since, deadline = w.Deadline, readySince = w.ReadySince, unmet = w.Unmet } : null,
        steps = r.Steps.Select(s => new
        {
            index = s.Index + 1, action = s.Action.ToString().ToLowerInvariant(), nodeId = s.NodeId, node = s.Node, observer = s.IsObserver,
            control = s.Control, state = RunStates.Name(s.State), actionStartedAt = s.ActionStartedAt, actionFinishedAt = s.ActionFinishedAt,
            actionSucceeded = s.ActionSucceeded, finishedAt = s.FinishedAt, outcome = s.Outcome,
        }),
        log = r.Log.Select(l => new { at = l.At, level = l.Level, message = l.Message }),
    };
}
