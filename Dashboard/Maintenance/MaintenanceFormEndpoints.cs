using Dashboard.Access;
using Dashboard.Api;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Microsoft.AspNetCore.WebUtilities;

namespace Dashboard.Maintenance;

/// <summary>
/// The maintenance page's forms: each acts through the same coordinator as the API, records the action in the audit
/// log, and sends the browser back to the page (303) with what happened. Works without script.
/// </summary>
internal static class MaintenanceFormEndpoints
{
    public static IEndpointRouteBuilder MapMaintenanceForms(this IEndpointRouteBuilder app)
    {
        var forms = app.MapGroup("/clusters/{id}/maintenance");
        forms.MapPost("/start", StartAsync);
        forms.MapPost("/runs/{runId}/{action:regex(^(pause|resume|abort)$)}", ChangeAsync);
        return app;
    }

    private static async Task<IResult> StartAsync(string id, HttpContext http, ClusterRegistry registry, MaintenanceCoordinator runs, RequestAudit audit)
    {
        if (registry.Find(id) is not { } entry) return Results.NotFound();
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var operation = form["operation"].ToString();
        var nodes = form["nodes"].Select(MaintenanceApi.ParseNodes).SelectMany(n => n).ToList();
        var election = form["preferredElection"].ToString() == "true";
        var risk = form["zooKeeperRisk"].ToString();
        var back = Page(id, ("operation", operation), ("nodes", string.Join(',', nodes)), ("preferredElection", election ? "true" : ""), ("zooKeeperRisk", risk));
        if (!MaintenanceApi.TryRequest(operation, nodes, out var request, out var error, election, risk)) return Back(back, error);
        if (!MaintenanceApi.ConfirmationMatches(entry.Definition, form["confirm"]))
            return Back(back, $"Type the cluster's name, {entry.Definition.Name}, to confirm: nothing was started.");
        try
        {
            var run = await runs.StartAsync(id, request, MaintenanceApi.Actor(http), http.RequestAborted).ConfigureAwait(false);
            audit.Record(http, "maintenance-start", $"{id}/run {run.Id}", AuditOutcome.Succeeded, after: MaintenanceOperations.Name(request.Operation));
            return Results.Redirect(Page(id, ("run", run.Id)), permanent: false, preserveMethod: false);
        }
        catch (MaintenanceRefusedException e)
        {
            audit.Record(http, "maintenance-start", id, AuditOutcome.Failed, detail: string.Join("; ", e.Refusals));
            return Back(back, "Refused: " + string.Join("; ", e.Refusals));
        }
    }

    private static async Task<IResult> ChangeAsync(string id, string runId, string action, HttpContext http, MaintenanceCoordinator runs, RequestAudit audit)
    {
        if (runs.Get(runId) is not { } before || before.ClusterId != id) return Results.NotFound();
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var user = MaintenanceApi.Actor(http);
        var back = Page(id, ("run", runId));
        try
        {
            var after = action switch
            {
                "pause" => await runs.PauseAsync(runId, user).ConfigureAwait(false),
                "abort" => await runs.AbortAsync(runId, user).ConfigureAwait(false),
                _ => await runs.ResumeAsync(runId, MaintenanceApi.TryMode(form["mode"], out var mode) ? mode : ResumeMode.Default, user, http.RequestAborted).ConfigureAwait(false),
            };
            audit.Record(http, "maintenance-" + action, $"{id}/run {runId}", AuditOutcome.Succeeded, before: RunStates.Name(before.State), after: RunStates.Name(after.State));
            return Results.Redirect(back);
        }
        catch (MaintenanceRefusedException e)
        {
            audit.Record(http, "maintenance-" + action, $"{id}/run {runId}", AuditOutcome.Failed, detail: string.Join("; ", e.Refusals));
            return Back(back, $"Could not {action}: " + string.Join("; ", e.Refusals));
        }
    }

    private static string Page(string id, params (string Key, string Value)[] query) =>
        QueryHelpers.AddQueryString($"/clusters/{Uri.EscapeDataString(id)}/maintenance", query.Where(q => q.Value.Length > 0).Select(q => KeyValuePair.Create(q.Key, (string?)q.Value)));

    private static IResult Back(string page, string message) => Results.Redirect(QueryHelpers.AddQueryString(page, "message", message[..Math.Min(message.Length, 1500)]));
}
