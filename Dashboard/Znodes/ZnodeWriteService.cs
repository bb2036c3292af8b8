using Dashboard.Access;
using Dashboard.Components.Znodes;
using Dashboard.Core.Access;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dashboard.Znodes;

/// <summary>
/// Runs a <see cref="ZnodeWriter"/> operation for a request (the gate has already let an operator through) and
/// renders its outcome. The writer gets the person's role and the cluster's identities, so its rules (ACL changes
/// admin-only, lock-out refusal) hold for every caller.
/// </summary>
internal sealed class ZnodeWriteService(ZnodeBrowser browser, ZooKeeperClientPool pool, IZnodeChangeRecorder recorder, TimeProvider time)
{
    public async Task<IResult> RunAsync(HttpContext http, string clusterId, string? path, Func<ZnodeWriter, CancellationToken, Task<ZnodeWriteResult>> change, TimeSpan? timeout = null, string? aclText = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(change);
        if (path is not null && !ZooKeeperPath.IsValid(path)) return ZnodeResults.Message(ZnodeEndpoints.PathProblem(path), StatusCodes.Status400BadRequest);
        try
        {
            var result = await browser.RunAsync(clusterId, (client, ct) => change(Writer(http, clusterId, client), ct), http.RequestAborted, timeout);
            return new RazorComponentResult<ZnodeWriteOutcome>(new { ClusterId = clusterId, Result = result, AclText = aclText })
            {
                StatusCode = Status(result),
            };
        }
        catch (Exception e) when (browser.IsExpected(e, http.RequestAborted))
        {
            return ZnodeResults.Message(ZnodeErrors.Describe(e), ZnodeEndpoints.StatusOf(e), "danger");
        }
    }

    /// <summary>Refusals by the role rule are 403 (as the gate's), other refusals 422, conflicts 409; failures by their ZooKeeper error.</summary>
    private static int Status(ZnodeWriteResult result) => result.Change.Outcome switch
    {
        ZnodeChangeOutcome.Conflict => StatusCodes.Status409Conflict,
        ZnodeChangeOutcome.Refused when result.RoleRefused => StatusCodes.Status403Forbidden,
        ZnodeChangeOutcome.Refused => StatusCodes.Status422UnprocessableEntity,
        ZnodeChangeOutcome.Failed when result.Error is { } error => ZnodeEndpoints.StatusOf(error),
        _ => StatusCodes.Status200OK,
    };

    public async Task<IResult> ImportAsync(HttpContext http, string clusterId, ImportPlan plan)
    {
        var results = await browser.RunAsync(clusterId, (client, ct) => Writer(http, clusterId, client).ApplyImportAsync(plan, ct), http.RequestAborted, TimeSpan.FromSeconds(60));
        var refused = results is [{ Change.Outcome: ZnodeChangeOutcome.Refused } only] ? only : null;
        return new RazorComponentResult<ZnodeImportOutcome>(new { Results = results })
        {
            StatusCode = refused is null ? StatusCodes.Status200OK : Status(refused),
        };
    }

    private ZnodeWriter Writer(HttpContext http, string clusterId, ZooKeeperClient client) => new(client, clusterId, ZnodeWriteGate.Actor(http), recorder, time)
    {
        Role = DashboardPrincipal.RoleOf(http.User) ?? DashboardRole.Viewer,
        Identities = pool.Identities(clusterId),
    };
}
