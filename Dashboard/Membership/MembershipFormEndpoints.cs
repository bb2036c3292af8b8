using System.Globalization;
using Dashboard.Access;
using Dashboard.Api;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Membership;
using Microsoft.AspNetCore.WebUtilities;

namespace Dashboard.Membership;

/// <summary>
/// The membership page's forms: start (with the plan's config version, so a change made since the page showed the
/// plan is refused by the servers), resume, abort. Each goes through the coordinator (which checks the admin role
/// and audits), is audited here too, and sends the browser back (303) with what happened.
/// </summary>
internal static class MembershipFormEndpoints
{
    public static IEndpointRouteBuilder MapMembershipForms(this IEndpointRouteBuilder app)
    {
        var forms = app.MapGroup("/clusters/{id}/membership").RequireAuthorization(AccessPolicies.Admin);
        forms.MapPost("/start", StartAsync);
        forms.MapPost("/runs/{runId}/{action:regex(^(resume|abort)$)}", ChangeAsync);
        return app;
    }

    /// <summary>Reads the page's fields into a change; the same rules as the JSON API.</summary>
    public static bool TryRead(string? kind, string? servers, string? host, string? quorumPort, string? electionPort, string? clientPort, string? datacenter, string? acknowledgement,
        out MembershipChange change, out string error)
    {
        var ids = MaintenanceApi.ParseNodes(servers);
        return MembershipApi.TryChange(new MembershipApi.ChangeBody(kind, [.. ids], string.IsNullOrWhiteSpace(host) ? null : host, Port(quorumPort), Port(electionPort), Port(clientPort),
            datacenter, string.IsNullOrWhiteSpace(acknowledgement) ? null : acknowledgement), out change, out error);
    }

    private static int? Port(string? text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536 ? port : null;

    private static async Task<IResult> StartAsync(string id, HttpContext http, ClusterRegistry registry, MembershipCoordinator changes, RequestAudit audit)
    {
        if (registry.Find(id) is not { } entry) return Results.NotFound();
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        string F(string name) => form[name].ToString();
        var back = Page(id, ("kind", F("kind")), ("servers", F("servers")), ("host", F("host")), ("quorumPort", F("quorumPort")), ("electionPort", F("electionPort")),
            ("clientPort", F("clientPort")), ("datacenter", F("datacenter")), ("acknowledgement", F("acknowledgement")));
        if (!TryRead(F("kind"), F("servers"), F("host"), F("quorumPort"), F("electionPort"), F("clientPort"), F("datacenter"), F("acknowledgement"), out var change, out var error))
            return Back(back, error);
        if (!MaintenanceApi.ConfirmationMatches(entry.Definition, F("confirm")))
            return Back(back, $"Type the cluster's name, {entry.Definition.Name}, to confirm: nothing was changed.");
        if (!MembershipApi.TryVersion(F("fromConfigVersion"), out var from)) return Back(back, "The plan's config version is missing: show the plan again.");
        try
        {
            var plan = await changes.PlanAsync(id, change, http.RequestAborted).ConfigureAwait(false);
            var run = await changes.StartAsync(plan with { FromConfigVersion = from }, MaintenanceApi.Actor(http), http.RequestAborted).ConfigureAwait(false);
            audit.Record(http, "membership-start", $"{id}/run {run.Id}", AuditOutcome.Succeeded, after: change.ToString());
            return Back(Page(id), $"Started run {run.Id}: {change}.");
        }
        catch (MaintenanceRefusedException e)
        {
            audit.Record(http, "membership-start", id, AuditOutcome.Failed, detail: change + ": " + string.Join("; ", e.Refusals));
            return Back(back, "Refused: " + string.Join("; ", e.Refusals));
        }
    }

    private static async Task<IResult> ChangeAsync(string id, string runId, string action, HttpContext http, MembershipCoordinator changes, RequestAudit audit)
    {
        if (changes.Get(runId) is not { } before || before.ClusterId != id) return Results.NotFound();
        var who = MaintenanceApi.Actor(http);
        try
        {
            var after = action == "abort" ? await changes.AbortAsync(runId, who).ConfigureAwait(false) : await changes.ResumeAsync(runId, who, http.RequestAborted).ConfigureAwait(false);
            audit.Record(http, "membership-" + action, $"{id}/run {runId}", AuditOutcome.Succeeded, before: RunStates.Name(before.State), after: RunStates.Name(after.State));
            return Results.Redirect(Page(id));
        }
        catch (MaintenanceRefusedException e)
        {
            audit.Record(http, "membership-" + action, $"{id}/run {runId}", AuditOutcome.Failed, detail: string.Join("; ", e.Refusals));
            return Back(Page(id), $"Could not {action}: " + string.Join("; ", e.Refusals));
        }
    }

    private static string Page(string id, params (string Key, string Value)[] query) =>
        QueryHelpers.AddQueryString($"/clusters/{Uri.EscapeDataString(id)}/membership", query.Where(q => q.Value.Length > 0).Select(q => KeyValuePair.Create(q.Key, (string?)q.Value)));

    private static IResult Back(string page, string message) => Results.Redirect(QueryHelpers.AddQueryString(page, "message", message[..Math.Min(message.Length, 1500)]));
}
