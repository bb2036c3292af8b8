using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Text;

namespace Dashboard.Maintenance;

/// <summary>What a maintenance action from the page came to: the run as it is now, or why nothing happened.</summary>
internal sealed record MaintenanceOutcome(bool Succeeded, string Message, MaintenanceRun? Run = null, bool Forbidden = false)
{
    public static MaintenanceOutcome Refused(MaintenanceRefusedException e, string what) =>
        new(false, $"{what}: " + (e.Refusals.IsDefaultOrEmpty ? e.Message : string.Join("; ", e.Refusals)), Forbidden: e.IsForbidden);
}

/// <summary>
/// The maintenance page's actions and reads for a signed-in user of an open page (a circuit sends no HTTP request,
/// so no middleware checks or audits them): each takes the user as a principal, reads need an operator as on the
/// JSON API (plans and logs hold command lines), and every action goes through the coordinator, which checks the
/// role again, and is audited here with the address the page was opened from.
/// </summary>
internal sealed class MaintenanceActions(MaintenanceCoordinator runs, ClusterRegistry registry, IAuditLog log, TimeProvider time)
{
    /// <summary>Used when the page's address is not known (a circuit has no request of its own).</summary>
    public const string CircuitAddress = "circuit";

    public static MaintenanceActor Actor(ClaimsPrincipal user) => new(DashboardPrincipal.NameOf(user), DashboardPrincipal.RoleOf(user));

    /// <summary>Only operators see runs and plans: a viewer or an anonymous reader gets nothing.</summary>
    public static bool MayRead(ClaimsPrincipal user) => Actor(user).MayAct;

    public MaintenanceRun? Active(ClaimsPrincipal user, string clusterId) => MayRead(user) ? runs.Active(clusterId) : null;

    public IReadOnlyList<MaintenanceRun> List(ClaimsPrincipal user, string clusterId, int limit) => MayRead(user) ? runs.List(clusterId, limit) : [];

    /// <summary>The run to show: the one asked for when it is this cluster's, else the active run, else the latest one, with its log.</summary>
    public MaintenanceRun? Shown(ClaimsPrincipal user, string clusterId, string? runId)
    {
        if (!MayRead(user)) return null;
        if (runId is { Length: > 0 } && runs.Get(runId) is { } asked && asked.ClusterId == clusterId) return asked;
        return Current(clusterId);
    }

    /// <summary>The active run, else the latest one.</summary>
    public MaintenanceRun? Current(string clusterId) =>
        (runs.Active(clusterId) ?? runs.List(clusterId, 1).FirstOrDefault()) is { } run ? runs.Get(run.Id) : null;

    public async Task<(MaintenancePlan? Plan, string? Problem)> PlanAsync(ClaimsPrincipal user, string clusterId, MaintenanceRequest request, CancellationToken cancellationToken = default)
    {
        if (!MayRead(user)) return (null, $"Maintenance plans need the {MaintenanceActor.Required.Name()} role.");
        try
        {
            return (await runs.PlanAsync(clusterId, request, cancellationToken).ConfigureAwait(false), null);
        }
        catch (MaintenanceRefusedException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Starts a run once the typed confirmation is the cluster's name.</summary>
    public async Task<MaintenanceOutcome> StartAsync(ClaimsPrincipal user, string? address, string clusterId, MaintenanceRequest request, string? confirm, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (registry.Find(clusterId) is not { } entry) return new(false, $"No cluster has the id '{clusterId}'.");
        var who = Actor(user);
        if (who.MayAct && !VisibleText.Confirms(confirm?.Trim(), entry.Definition.Name))
            return new(false, $"Type the cluster's name, {entry.Definition.Name}, to confirm: nothing was started.");
        try
        {
            var run = await runs.StartAsync(clusterId, request, who, cancellationToken).ConfigureAwait(false);
            Record(who, address, "maintenance-start", $"{clusterId}/run {run.Id}", AuditOutcome.Succeeded, after: MaintenanceOperations.Name(request.Operation));
            return new(true, $"Run {run.Id} started.", runs.Get(run.Id) ?? run);
        }
        catch (MaintenanceRefusedException e)
        {
            // A role refusal is audited by the coordinator itself.
            if (!e.IsForbidden) Record(who, address, "maintenance-start", clusterId, AuditOutcome.Failed, detail: string.Join("; ", e.Refusals));
            return MaintenanceOutcome.Refused(e, "Refused");
        }
    }

    public Task<MaintenanceOutcome> PauseAsync(ClaimsPrincipal user, string? address, string clusterId, string runId) =>
        ChangeAsync(user, address, clusterId, runId, "pause", who => runs.PauseAsync(runId, who));

    public Task<MaintenanceOutcome> AbortAsync(ClaimsPrincipal user, string? address, string clusterId, string runId) =>
        ChangeAsync(user, address, clusterId, runId, "abort", who => runs.AbortAsync(runId, who));

    public Task<MaintenanceOutcome> ResumeAsync(ClaimsPrincipal user, string? address, string clusterId, string runId, ResumeMode mode, CancellationToken cancellationToken = default) =>
        ChangeAsync(user, address, clusterId, runId, "resume", who => runs.ResumeAsync(runId, mode, who, cancellationToken));

    private async Task<MaintenanceOutcome> ChangeAsync(ClaimsPrincipal user, string? address, string clusterId, string runId, string action,
        Func<MaintenanceActor, Task<MaintenanceRun>> change)
    {
        var who = Actor(user);
        // A viewer learns nothing of runs, not even whether this one exists: the coordinator refuses and audits first.
        var before = who.MayAct ? runs.Get(runId) : null;
        if (who.MayAct && (before is null || before.ClusterId != clusterId)) return new(false, $"No maintenance run '{runId}' on this cluster.");
        try
        {
            var after = await change(who).ConfigureAwait(false);
            Record(who, address, "maintenance-" + action, $"{clusterId}/run {runId}", AuditOutcome.Succeeded,
                before: before is null ? null : RunStates.Name(before.State), after: RunStates.Name(after.State));
            return new(true, $"Run {runId}: {action} done, now {RunStates.Name(after.State)}.", runs.Get(runId) ?? after);
        }
        catch (MaintenanceRefusedException e)
        {
            if (!e.IsForbidden)
                Record(who, address, "maintenance-" + action, $"{clusterId}/run {runId}", AuditOutcome.Failed,
                    before: before is null ? null : RunStates.Name(before.State), detail: string.Join("; ", e.Refusals));
            return MaintenanceOutcome.Refused(e, $"Could not {action}");
        }
    }

    private void Record(MaintenanceActor who, string? address, string action, string target, AuditOutcome outcome,
        string? before = null, string? after = null, string? detail = null) =>
        log.Record(new AuditEntry(time.GetUtcNow(), who.Name, address ?? CircuitAddress, action, target, outcome) { Before = before, After = after, Detail = detail });
}
