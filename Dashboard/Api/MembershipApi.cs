using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Membership;

namespace Dashboard.Api;

/// <summary>
/// Membership changes for automation: the dry run (POST plan, nothing changes), start, state and log, resume,
/// abort. Admins only (the coordinator checks it again and audits, as it does for the page). Starting needs
/// <c>confirm</c> = the cluster's name, and may carry the plan's <c>fromConfigVersion</c>: the first reconfig then
/// names that version, so a change made since the plan was read is refused by the servers.
/// </summary>
internal static class MembershipApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public sealed record ChangeBody(string? Kind, int[]? Servers, string? Host, int? QuorumPort, int? ElectionPort, int? ClientPort, string? Datacenter,
        string? Acknowledgement, string? Confirm = null, string? FromConfigVersion = null);

    public static IEndpointRouteBuilder MapMembershipApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/clusters/{id}/membership").RequireAuthorization(AccessPolicies.Admin);
        api.MapPost("/plan", PlanAsync);
        api.MapPost("/runs", StartAsync);
        api.MapGet("/runs", (string id, MembershipCoordinator runs, ClusterRegistry registry) =>
            registry.Find(id) is null ? NoCluster(id) : Results.Json(runs.List(id).Select(Run), Json));
        api.MapGet("/runs/{runId}", (string id, string runId, MembershipCoordinator runs) =>
            runs.Get(runId) is { } run && run.ClusterId == id ? Results.Json(Run(run), Json) : NoRun(runId));
        api.MapPost("/runs/{runId}/resume", (string id, string runId, HttpContext http, MembershipCoordinator runs, RequestAudit audit) =>
            ChangeAsync(id, runId, http, runs, audit, "membership-resume", who => runs.ResumeAsync(runId, who, http.RequestAborted)));
        api.MapPost("/runs/{runId}/abort", (string id, string runId, HttpContext http, MembershipCoordinator runs, RequestAudit audit) =>
            ChangeAsync(id, runId, http, runs, audit, "membership-abort", who => runs.AbortAsync(runId, who)));
        return app;
    }

    private static async Task<IResult> PlanAsync(string id, ChangeBody? body, ClusterRegistry registry, MembershipCoordinator runs, HttpContext http)
    {
        if (registry.Find(id) is null) return NoCluster(id);
        if (!TryChange(body, out var change, out var error)) return Results.Json(new { error }, Json, statusCode: 400);
        try
        {
            return Results.Json(Plan(await runs.PlanAsync(id, change, http.RequestAborted).ConfigureAwait(false)), Json);
        }
        catch (MaintenanceRefusedException e)
        {
            return Refused(e, 503);
        }
    }

    private static async Task<IResult> StartAsync(string id, ChangeBody? body, HttpContext http, ClusterRegistry registry, MembershipCoordinator runs, RequestAudit audit)
    {
        if (registry.Find(id) is not { } entry) return NoCluster(id);
        if (!TryChange(body, out var change, out var error)) return Results.Json(new { error }, Json, statusCode: 400);
        if (!MaintenanceApi.ConfirmationMatches(entry.Definition, body?.Confirm))
            return Results.Json(new { error = $"confirm must be the cluster's name, '{entry.Definition.Name}': a membership change rewrites every server's configuration" }, Json, statusCode: 400);
        long? from = null;
        if (body?.FromConfigVersion is { Length: > 0 } text)
        {
            if (!TryVersion(text, out var parsed)) return Results.Json(new { error = $"fromConfigVersion '{text}' is not a config version such as 0x100000003" }, Json, statusCode: 400);
            from = parsed;
        }
        try
        {
            var who = MaintenanceApi.Actor(http);
            var plan = await runs.PlanAsync(id, change, http.RequestAborted).ConfigureAwait(false);
            var run = await runs.StartAsync(from is { } version ? plan with { FromConfigVersion = version } : plan, who, http.RequestAborted).ConfigureAwait(false);
            audit.Record(http, "membership-start", $"{id}/run {run.Id}", AuditOutcome.Succeeded, after: change.ToString());
            return Results.Json(Run(runs.Get(run.Id) ?? run), Json, statusCode: 201);
        }
        catch (MaintenanceRefusedException e)
        {
            audit.Record(http, "membership-start", id, AuditOutcome.Failed, detail: change + ": " + string.Join("; ", e.Refusals));
            return Refused(e, e.IsForbidden ? 403 : e.IsConflict ? 409 : 422);
        }
    }

    private static async Task<IResult> ChangeAsync(string id, string runId, HttpContext http, MembershipCoordinator runs, RequestAudit audit, string action,
        Func<MaintenanceActor, Task<MembershipRun>> change)
    {
        if (runs.Get(runId) is not { } before || before.ClusterId != id) return NoRun(runId);
        try
        {
            var after = await change(MaintenanceApi.Actor(http)).ConfigureAwait(false);
            audit.Record(http, action, $"{id}/run {runId}", AuditOutcome.Succeeded, before: RunStates.Name(before.State), after: RunStates.Name(after.State));
            return Results.Json(Run(runs.Get(runId) ?? after), Json);
        }
        catch (MaintenanceRefusedException e)
        {
            audit.Record(http, action, $"{id}/run {runId}", AuditOutcome.Failed, detail: string.Join("; ", e.Refusals));
            return Refused(e, e.IsForbidden ? 403 : 409);
        }
    }

    internal static bool TryChange(ChangeBody? body, out MembershipChange change, out string error)
    {
        change = MembershipChange.Remove();
        error = "";
        if (!MembershipChange.TryParseKind(body?.Kind, out var kind))
        {
            error = $"kind '{body?.Kind}' is unknown: use add-observer, add-voter, remove, promote or demote";
            return false;
        }
        if (body!.Servers is not { Length: > 0 } servers || servers.Any(s => s < 1))
        {
            error = "servers must list the server id(s) (their myid), e.g. [5]";
            return false;
        }
        change = new MembershipChange(kind, [.. servers])
        {
            Host = body.Host?.Trim(), QuorumPort = body.QuorumPort, ElectionPort = body.ElectionPort, ClientPort = body.ClientPort,
            Datacenter = string.IsNullOrWhiteSpace(body.Datacenter) ? null : body.Datacenter.Trim(), Acknowledgement = body.Acknowledgement,
        };
        if (change.Host is { } host && NodeArgumentCheck.HostProblem(host) is { } problem)
        {
            error = $"host: {problem}";
            return false;
        }
        return true;
    }

    internal static bool TryVersion(string text, out long version) =>
        text.Trim().StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(text.Trim()[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out version)
            : long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out version);

    internal static object Plan(MembershipPlan plan) => new
    {
        clusterId = plan.ClusterId,
        change = plan.Change.ToString(),
        fromConfigVersion = MembershipView.VersionText(plan.FromConfigVersion),
        canStart = plan.CanStart,
        shape = plan.Shape,
        steps = plan.Steps.Select(s => new
        {
            index = s.Index, kind = MembershipChange.Name(s.Kind), servers = s.ServerIds, joining = s.Joining, leaving = s.Leaving,
            votersBefore = s.VotersBefore, votersAfter = s.VotersAfter, quorumBefore = s.QuorumBefore, quorumAfter = s.QuorumAfter, description = s.Description,
        }),
        checks = plan.Checks.Select(MaintenanceDto.Check),
        advice = plan.Advice,
        configAfter = plan.ConfigAfter,
        checkedAt = plan.CheckedAt,
    };

    internal static object Run(MembershipRun run) => new
    {
        id = run.Id, clusterId = run.ClusterId, change = run.Change.ToString(), state = RunStates.Name(run.State), startedBy = run.StartedBy,
        createdAt = run.CreatedAt, updatedAt = run.UpdatedAt, finishedAt = run.FinishedAt, currentStep = run.CurrentStep, reason = run.PauseReason,
        settingsUpdate = run.SettingsUpdate,
        steps = run.Steps.Select(s => new
        {
            index = s.Index, kind = MembershipChange.Name(s.Kind), servers = s.ServerIds, joining = s.Joining, leaving = s.Leaving, state = RunStates.Name(s.State),
            fromVersion = s.FromVersion is { } f ? MembershipView.VersionText(f) : null, toVersion = s.ToVersion is { } t ? MembershipView.VersionText(t) : null,
            startedAt = s.StartedAt, finishedAt = s.FinishedAt, outcome = s.Outcome,
        }),
        log = run.Log.IsDefaultOrEmpty ? null : run.Log.Select(l => new { at = l.At, level = l.Level, message = l.Message }),
    };

    private static IResult Refused(MaintenanceRefusedException e, int status) =>
        Results.Json(new { error = e.Message, refusals = e.Refusals.Select(MaintenanceDto.Check) }, Json, statusCode: status);

    private static IResult NoCluster(string id) => Results.Json(new { error = $"no cluster has the id '{id}'" }, Json, statusCode: 404);

    private static IResult NoRun(string runId) => Results.Json(new { error = $"no membership run '{runId}' on this cluster" }, Json, statusCode: 404);
}
