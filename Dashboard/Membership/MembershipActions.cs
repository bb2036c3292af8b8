using System.Globalization;
using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Api;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Membership;
using Dashboard.Core.Text;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Membership;

/// <summary>What a membership action from the page came to: the run as it is now, or why nothing happened.</summary>
internal sealed record MembershipOutcome(bool Succeeded, string Message, MembershipRun? Run = null, bool Forbidden = false)
{
    public static MembershipOutcome Refused(MaintenanceRefusedException e, string what) =>
        new(false, $"{what}: " + (e.Refusals.IsDefaultOrEmpty ? e.Message : string.Join("; ", e.Refusals)), Forbidden: e.IsForbidden);
}

/// <summary>
/// The membership page's reads and actions for the user of an open page (a circuit sends no HTTP request, so no
/// middleware checks or audits them). Everything needs an admin, as on the JSON API: plans show the configuration,
/// runs rewrite it. Actions go through the coordinator, which checks the role again and audits; they are audited
/// here too with the page's address, as the API's endpoints do with theirs.
/// </summary>
internal sealed class MembershipActions(MembershipCoordinator changes, ClusterRegistry registry, IAuditLog log, TimeProvider time)
{
    public const string CircuitAddress = "circuit";

    public static MaintenanceActor Actor(ClaimsPrincipal user) => new(DashboardPrincipal.NameOf(user), DashboardPrincipal.RoleOf(user));

    public static bool MayRead(ClaimsPrincipal user) => Actor(user).Role is { } role && role.Includes(MembershipCoordinator.Required);

    public IReadOnlyList<MembershipRun> List(ClaimsPrincipal user, string clusterId, int limit = 20) => MayRead(user) ? changes.List(clusterId, limit) : [];

    /// <summary>The run to show with its log: the one asked for when it is this cluster's, else the newest.</summary>
    public MembershipRun? Shown(ClaimsPrincipal user, string clusterId, string? runId)
    {
        if (!MayRead(user)) return null;
        if (runId is { Length: > 0 } && changes.Get(runId) is { } asked && asked.ClusterId == clusterId) return asked;
        return changes.List(clusterId, 1).FirstOrDefault() is { } newest ? changes.Get(newest.Id) : null;
    }

    /// <summary>The dry run; nothing is touched. A problem instead of a plan when the ensemble cannot be read.</summary>
    public async Task<(MembershipPlan? Plan, string? Problem)> PlanAsync(ClaimsPrincipal user, string clusterId, MembershipChange change, CancellationToken cancellationToken = default)
    {
        if (!MayRead(user)) return (null, $"Membership plans need the {MembershipCoordinator.Required.Name()} role.");
        try
        {
            return (await changes.PlanAsync(clusterId, change, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is MaintenanceRefusedException or ZooKeeperException or TimeoutException or IOException)
        {
            return (null, "The ensemble could not be read: " + e.Message);
        }
    }

    /// <summary>
    /// Starts the change once the typed confirmation is the cluster's name (as shown is accepted), naming the config
    /// version the plan on screen read: a change anyone made since is refused by the servers instead of overwritten.
    /// </summary>
    public async Task<MembershipOutcome> StartAsync(ClaimsPrincipal user, string? address, string clusterId, MembershipChange change, long fromConfigVersion,
        string? confirm, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (registry.Find(clusterId) is not { } entry) return new(false, $"No cluster has the id '{clusterId}'.");
        var who = Actor(user);
        if (MayRead(user) && !VisibleText.Confirms(confirm?.Trim(), entry.Definition.Name))
            return new(false, $"Type the cluster's name, {entry.Definition.Name}, to confirm: nothing was changed.");
        try
        {
            MembershipRun run;
            // Someone who is no admin is refused (and audited) by the coordinator before anything is read.
            if (!MayRead(user)) run = await changes.StartAsync(clusterId, change, who, cancellationToken).ConfigureAwait(false);
            else
            {
                var plan = await changes.PlanAsync(clusterId, change, cancellationToken).ConfigureAwait(false);
                run = await changes.StartAsync(plan with { FromConfigVersion = fromConfigVersion }, who, cancellationToken).ConfigureAwait(false);
            }
            Record(who, address, "membership-start", $"{clusterId}/run {run.Id}", AuditOutcome.Succeeded, after: change.ToString());
            return new(true, $"Started run {run.Id}: {change}.", changes.Get(run.Id) ?? run);
        }
        catch (MaintenanceRefusedException e)
        {
            if (!e.IsForbidden) Record(who, address, "membership-start", clusterId, AuditOutcome.Failed, detail: change + ": " + string.Join("; ", e.Refusals));
            return MembershipOutcome.Refused(e, "Refused");
        }
        catch (Exception e) when (e is ZooKeeperException or TimeoutException or IOException)
        {
            Record(who, address, "membership-start", clusterId, AuditOutcome.Failed, detail: change + ": the ensemble could not be read: " + e.Message);
            return new(false, "Nothing was changed: the ensemble could not be read: " + e.Message);
        }
    }

    public Task<MembershipOutcome> ResumeAsync(ClaimsPrincipal user, string? address, string clusterId, string runId, CancellationToken cancellationToken = default) =>
        ChangeAsync(user, address, clusterId, runId, "resume", who => changes.ResumeAsync(runId, who, cancellationToken));

    public Task<MembershipOutcome> AbortAsync(ClaimsPrincipal user, string? address, string clusterId, string runId) =>
        ChangeAsync(user, address, clusterId, runId, "abort", who => changes.AbortAsync(runId, who));

    private async Task<MembershipOutcome> ChangeAsync(ClaimsPrincipal user, string? address, string clusterId, string runId, string action,
        Func<MaintenanceActor, Task<MembershipRun>> change)
    {
        var who = Actor(user);
        // Someone who is no admin learns nothing of runs, not even whether this one exists: the coordinator refuses and audits first.
        var before = MayRead(user) ? changes.Get(runId) : null;
        if (MayRead(user) && (before is null || before.ClusterId != clusterId)) return new(false, $"No membership run '{runId}' on this cluster.");
        try
        {
            var after = await change(who).ConfigureAwait(false);
            Record(who, address, "membership-" + action, $"{clusterId}/run {runId}", AuditOutcome.Succeeded,
                before: before is null ? null : RunStates.Name(before.State), after: RunStates.Name(after.State));
            return new(true, $"Run {runId}: {action} done, now {RunStates.Name(after.State)}.", changes.Get(runId) ?? after);
        }
        catch (MaintenanceRefusedException e)
        {
            if (!e.IsForbidden)
                Record(who, address, "membership-" + action, $"{clusterId}/run {runId}", AuditOutcome.Failed, detail: string.Join("; ", e.Refusals));
            return MembershipOutcome.Refused(e, $"Could not {action}");
        }
    }

    /// <summary>The page's fields as a change; the same rules as the JSON API.</summary>
    public static bool TryRead(MembershipForm form, out MembershipChange change, out string error)
    {
        ArgumentNullException.ThrowIfNull(form);
        var ids = MaintenanceApi.ParseNodes(form.Servers);
        if (ids.Contains(-1))
        {
            change = MembershipChange.Remove();
            error = $"servers must be ids separated by commas, such as 4 or 4,5 (got '{form.Servers}')";
            return false;
        }
        return MembershipApi.TryChange(new MembershipApi.ChangeBody(form.Kind, [.. ids], Given(form.Host), Port(form.QuorumPort), Port(form.ElectionPort), Port(form.ClientPort),
            form.Datacenter, Given(form.Acknowledgement)), out change, out error);
    }

    private static string? Given(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static int? Port(string? text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536 ? port : null;

    private void Record(MaintenanceActor who, string? address, string action, string target, AuditOutcome outcome,
        string? before = null, string? after = null, string? detail = null) =>
        log.Record(new AuditEntry(time.GetUtcNow(), who.Name, address ?? CircuitAddress, action, target, outcome) { Before = before, After = after, Detail = detail });
}

/// <summary>The membership page's plan form as it travels in the query string (so a plan is a link).</summary>
internal sealed record MembershipForm(string? Kind, string? Servers, string? Host = null, string? QuorumPort = null, string? ElectionPort = null,
    string? ClientPort = null, string? Datacenter = null, string? Acknowledgement = null);
