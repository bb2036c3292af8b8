using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;

namespace Dashboard.Api;

/// <summary>
/// Maintenance for automation: the dry run (GET plan), start, state and log, pause, resume, abort. Changes need an
/// operator (the fallback policy covers every POST) and are audited. Starting needs <c>confirm</c> = the cluster's
/// name, as on the page: a script aimed at the wrong cluster is refused.
/// </summary>
internal static class MaintenanceApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <param name="ZooKeeperRisk">Broker rolls while the ensemble cannot lose a voter: the typed word "accept".</param>
    public sealed record StartBody(string? Operation, int[]? Nodes, string? Confirm, bool? PreferredElection = null, string? ZooKeeperRisk = null);
    public sealed record ResumeBody(string? Mode);

    public static IEndpointRouteBuilder MapMaintenanceApi(this IEndpointRouteBuilder app)
    {
        // Plans and run logs hold command lines and their output: operators only, reads included (as on the pages).
        var api = app.MapGroup("/api/clusters/{id}/maintenance").RequireAuthorization(AccessPolicies.Operator);
        api.MapGet("/plan", PlanAsync);
        api.MapGet("/runs", (string id, MaintenanceCoordinator runs, ClusterRegistry registry) =>
            registry.Find(id) is null ? NoCluster(id) : Results.Json(runs.List(id).Select(MaintenanceDto.Run), Json));
        api.MapGet("/runs/{runId}", (string id, string runId, MaintenanceCoordinator runs) =>
            runs.Get(runId) is { } run && run.ClusterId == id ? Results.Json(MaintenanceDto.Run(run), Json) : NoRun(runId));
        api.MapPost("/runs", StartAsync);
        api.MapPost("/runs/{runId}/pause", (string id, string runId, HttpContext http, MaintenanceCoordinator runs, RequestAudit audit) =>
            ChangeAsync(id, runId, http, runs, audit, "maintenance-pause", user => runs.PauseAsync(runId, user)));
        api.MapPost("/runs/{runId}/abort", (string id, string runId, HttpContext http, MaintenanceCoordinator runs, RequestAudit audit) =>
            ChangeAsync(id, runId, http, runs, audit, "maintenance-abort", user => runs.AbortAsync(runId, user)));
        api.MapPost("/runs/{runId}/resume", async (string id, string runId, HttpContext http, MaintenanceCoordinator runs, RequestAudit audit) =>
        {
            var body = http.Request.HasJsonContentType() ? await http.Request.ReadFromJsonAsync<ResumeBody>(http.RequestAborted).ConfigureAwait(false) : null;
            if (!TryMode(body?.Mode ?? http.Request.Query["mode"], out var mode))
                return Results.Json(new { error = $"mode '{body?.Mode}' is unknown: use retry or verify (or leave it out)" }, Json, statusCode: 400);
            return await ChangeAsync(id, runId, http, runs, audit, "maintenance-resume", user => runs.ResumeAsync(runId, mode, user, http.RequestAborted)).ConfigureAwait(false);
        });
        return app;
    }

    private static async Task<IResult> PlanAsync(string id, string? operation, string? nodes, bool? preferredElection, string? zooKeeperRisk, ClusterRegistry registry, MaintenanceCoordinator runs, HttpContext http)
    {
        if (registry.Find(id) is null) return NoCluster(id);
        if (ParseNodes(nodes).Contains(-1)) return Results.Json(new { error = $"nodes must be ids separated by commas, such as 1,2 (got '{nodes}')" }, Json, statusCode: 400);
        if (!TryRequest(operation, ParseNodes(nodes), out var request, out var error, preferredElection ?? false, zooKeeperRisk)) return Results.Json(new { error }, Json, statusCode: 400);
        try
        {
            return Results.Json(MaintenanceDto.Plan(await runs.PlanAsync(id, request, http.RequestAborted).ConfigureAwait(false)), Json);
        }
        catch (MaintenanceRefusedException e)
        {
            return Refused(e, 503); // the cluster is not ready to be polled (a sandbox still starting)
        }
    }

    private static async Task<IResult> StartAsync(string id, StartBody? body, HttpContext http, ClusterRegistry registry, MaintenanceCoordinator runs, RequestAudit audit)
    {
        if (registry.Find(id) is not { } entry) return NoCluster(id);
        if (!TryRequest(body?.Operation, body?.Nodes ?? [], out var request, out var error, body?.PreferredElection ?? false, body?.ZooKeeperRisk)) return Results.Json(new { error }, Json, statusCode: 400);
        if (!ConfirmationMatches(entry.Definition, body?.Confirm))
            return Results.Json(new { error = $"confirm must be the cluster's name, '{entry.Definition.Name}': a run acts on real nodes" }, Json, statusCode: 400);
        try
        {
            var run = await runs.StartAsync(id, request, Actor(http), http.RequestAborted).ConfigureAwait(false);
            audit.Record(http, "maintenance-start", $"{id}/run {run.Id}", AuditOutcome.Succeeded, after: Describe(request));
            return Results.Json(MaintenanceDto.Run(runs.Get(run.Id) ?? run), Json, statusCode: 201);
        }
        catch (MaintenanceRefusedException e)
        {
            audit.Record(http, "maintenance-start", id, AuditOutcome.Failed, detail: Describe(request) + ": " + string.Join("; ", e.Refusals));
            return Refused(e, Status(e));
        }
    }

    private static async Task<IResult> ChangeAsync(string id, string runId, HttpContext http, MaintenanceCoordinator runs, RequestAudit audit, string action,
        Func<MaintenanceActor, Task<MaintenanceRun>> change)
    {
        if (runs.Get(runId) is not { } before || before.ClusterId != id) return NoRun(runId);
        try
        {
            var after = await change(Actor(http)).ConfigureAwait(false);
            audit.Record(http, action, $"{id}/run {runId}", AuditOutcome.Succeeded, before: RunStates.Name(before.State), after: RunStates.Name(after.State));
            return Results.Json(MaintenanceDto.Run(runs.Get(runId) ?? after), Json);
        }
        catch (MaintenanceRefusedException e)
        {
            audit.Record(http, action, $"{id}/run {runId}", AuditOutcome.Failed, before: RunStates.Name(before.State), detail: string.Join("; ", e.Refusals));
            return Refused(e, Status(e));
        }
    }

    /// <summary>Who asks, with their role: the coordinator checks the role itself.</summary>
    internal static MaintenanceActor Actor(HttpContext http) => new(DashboardPrincipal.NameOf(http.User), DashboardPrincipal.RoleOf(http.User));

    private static int Status(MaintenanceRefusedException e) => e.IsForbidden ? 403 : e.IsConflict ? 409 : 422;

    internal static bool ConfirmationMatches(ClusterDefinition cluster, string? confirm) =>
        string.Equals(confirm?.Trim(), cluster.Name, StringComparison.Ordinal);

    /// <summary>The request; <paramref name="preferredElection"/> (broker rolls only) ends the roll with a preferred leader election.</summary>
    internal static bool TryRequest(string? operation, IEnumerable<int> nodes, out MaintenanceRequest request, out string error, bool preferredElection = false, string? zooKeeperRisk = null)
    {
        request = MaintenanceRequest.RollingRestart;
        error = "";
        if (!MaintenanceOperations.TryParse(operation, out var op))
        {
            error = $"operation '{operation}' is unknown: use rolling-restart, restart (with nodes), stop or start (with one node)";
            return false;
        }
        if (preferredElection && !MaintenanceOperations.IsKafka(op))
        {
            error = "preferredElection applies to broker rolls only (kafka-rolling-restart, kafka-restart)";
            return false;
        }
        var riskAccepted = string.Equals(zooKeeperRisk?.Trim(), MaintenanceChecks.ZooKeeperRiskWord, StringComparison.Ordinal);
        if (zooKeeperRisk is { Length: > 0 } && (!riskAccepted || !MaintenanceOperations.IsKafka(op)))
        {
            error = riskAccepted ? "zooKeeperRisk applies to broker rolls only" : $"zooKeeperRisk must be the word '{MaintenanceChecks.ZooKeeperRiskWord}' (or left out)";
            return false;
        }
        request = new MaintenanceRequest(op, [.. nodes]) { PreferredElection = preferredElection, ZooKeeperRiskAccepted = riskAccepted };
        return true;
    }

    internal static ImmutableArray<int> ParseNodes(string? nodes) =>
        [.. (nodes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)];

    internal static bool TryMode(string? text, out ResumeMode mode)
    {
        mode = text?.Trim().ToLowerInvariant() switch { null or "" => ResumeMode.Default, "retry" => ResumeMode.Retry, "verify" => ResumeMode.Verify, _ => (ResumeMode)(-1) };
        return Enum.IsDefined(mode);
    }

    private static string Describe(MaintenanceRequest request) =>
        MaintenanceOperations.Name(request.Operation) + (request.NodeIds.IsDefaultOrEmpty ? "" : " of node(s) " + string.Join(", ", request.NodeIds))
        + (request.PreferredElection ? ", then a preferred leader election" : "");

    private static IResult Refused(MaintenanceRefusedException e, int status) =>
        Results.Json(new { error = e.Message, refusals = e.Refusals.Select(MaintenanceDto.Check) }, Json, statusCode: status);

    private static IResult NoCluster(string id) => Results.Json(new { error = $"no cluster has the id '{id}'" }, Json, statusCode: 404);

    private static IResult NoRun(string runId) => Results.Json(new { error = $"no maintenance run '{runId}' on this cluster" }, Json, statusCode: 404);
}
