using Dashboard.Components.Znodes;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dashboard.Znodes;

/// <summary>Runs a <see cref="ZnodeWriter"/> operation for a request (the gate has already let it through) and renders its outcome.</summary>
internal sealed class ZnodeWriteService(ZnodeBrowser browser, IZnodeChangeRecorder recorder, TimeProvider time, ZnodeOptions options)
{
    public async Task<IResult> RunAsync(HttpContext http, string clusterId, string? path, Func<ZnodeWriter, CancellationToken, Task<ZnodeWriteResult>> change, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(change);
        if (path is not null && !ZooKeeperPath.IsValid(path)) return ZnodeResults.Message(ZnodeEndpoints.PathProblem(path), StatusCodes.Status400BadRequest);
        if (http.Request.ContentLength > options.MaxFrameSize)
            return ZnodeResults.Message($"The value is larger than the {options.MaxFrameSize:N0} bytes ZooKeeper accepts here; nothing was written.", StatusCodes.Status413PayloadTooLarge);
        try
        {
            var result = await browser.RunAsync(clusterId, (client, ct) => change(Writer(http, clusterId, client), ct), http.RequestAborted, timeout);
            return new RazorComponentResult<ZnodeWriteOutcome>(new { ClusterId = clusterId, Result = result })
            {
                StatusCode = result.Change.Outcome switch
                {
                    ZnodeChangeOutcome.Conflict => StatusCodes.Status409Conflict,
                    ZnodeChangeOutcome.Refused => StatusCodes.Status422UnprocessableEntity,
                    _ => StatusCodes.Status200OK,
                },
            };
        }
        catch (Exception e) when (browser.IsExpected(e, http.RequestAborted))
        {
            return ZnodeResults.Message(ZnodeErrors.Describe(e), StatusCodes.Status503ServiceUnavailable, "danger");
        }
    }

    public async Task<IResult> ImportAsync(HttpContext http, string clusterId, ImportPlan plan)
    {
        var results = await browser.RunAsync(clusterId, (client, ct) => Writer(http, clusterId, client).ApplyImportAsync(plan, ct), http.RequestAborted, TimeSpan.FromSeconds(60));
        return new RazorComponentResult<ZnodeImportOutcome>(new { Results = results });
    }

    private ZnodeWriter Writer(HttpContext http, string clusterId, ZooKeeperClient client) => new(client, clusterId, ZnodeWriteGate.Actor(http), recorder, time);
}
