using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Znodes;

/// <summary>Who asks for a change: the principal (from the circuit or the request) and, where known, the client address.</summary>
public sealed record ZnodeActor(ClaimsPrincipal User, string? Address);

/// <summary>
/// What a change came to: the writer's result, or a problem in words (refused by the gate, bad path, ZooKeeper
/// unreachable) with its HTTP-style status so the HTTP endpoints can answer with it and the page can colour it.
/// </summary>
internal sealed record ZnodeWriteAnswer(ZnodeWriteResult? Result, string? Problem, int Status)
{
    public bool GateRefused { get; init; }
}

/// <summary>
/// Every znode change, from the page's circuit or from HTTP, goes through here: the gate (role and
/// <c>Znodes:AllowWrites</c>) is checked first and a refusal is recorded in the audit log like any attempt; the
/// writer then gets the person's role and the cluster's identities, so its own rules (ACL changes admin-only,
/// lock-out refusal, lossless edit, fingerprints) hold for every caller.
/// </summary>
internal sealed class ZnodeWriteService(ZnodeBrowser browser, ZooKeeperClientPool pool, ZnodeWriteGate gate, IZnodeChangeRecorder recorder, TimeProvider time)
{
    public Task<ZnodeWriteAnswer> SetDataAsync(ZnodeActor actor, string clusterId, string path, byte[]? data, int version, long czxid, CancellationToken cancellationToken) =>
        RunAsync(actor, clusterId, ZnodeChangeKind.SetData, path, (w, ct) => w.SetDataAsync(path, data, version, czxid, ct), cancellationToken);

    public async Task<ZnodeWriteAnswer> CreateAsync(ZnodeActor actor, string clusterId, string path, byte[]? data, CreateMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        // The gate answers first: a refused person learns nothing about their input.
        if (await RefuseAsync(actor, clusterId, ZnodeChangeKind.Create, path, cancellationToken).ConfigureAwait(false) is { } refused) return refused;
        if (!ZooKeeperPath.IsValid(path, mode == CreateMode.PersistentSequential))
            return new ZnodeWriteAnswer(null, ZnodeEndpoints.PathProblem(path), StatusCodes.Status400BadRequest);
        return await RunAsync(actor, clusterId, ZnodeChangeKind.Create, null, (w, ct) => w.CreateAsync(path, data, mode, ct), cancellationToken).ConfigureAwait(false);
    }

    public Task<ZnodeWriteAnswer> DeleteAsync(ZnodeActor actor, string clusterId, string path, int version, CancellationToken cancellationToken) =>
        RunAsync(actor, clusterId, ZnodeChangeKind.Delete, path, (w, ct) => w.DeleteAsync(path, version, ct), cancellationToken);

    public Task<ZnodeWriteAnswer> DeleteRecursiveAsync(ZnodeActor actor, string clusterId, string path, string? confirm, string? fingerprint, CancellationToken cancellationToken) =>
        RunAsync(actor, clusterId, ZnodeChangeKind.DeleteRecursive, path, (w, ct) => w.DeleteRecursiveAsync(path, confirm, fingerprint, ct), cancellationToken, TimeSpan.FromSeconds(60));

    public Task<ZnodeWriteAnswer> SetAclAsync(ZnodeActor actor, string clusterId, string path, IReadOnlyList<ZooKeeperAcl> acl, int aclVersion, string? confirm, CancellationToken cancellationToken) =>
        RunAsync(actor, clusterId, ZnodeChangeKind.SetAcl, path, (w, ct) => w.SetAclAsync(path, acl, aclVersion, confirm, ct), cancellationToken);

    /// <summary>What a recursive delete would remove (only offered to those who may change znodes).</summary>
    public async Task<(RecursiveDeletePlan? Plan, string? Problem)> PlanRecursiveDeleteAsync(ZnodeActor actor, string clusterId, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (gate.Refusal(actor.User) is { } refusal) return (null, refusal);
        if (!ZooKeeperPath.IsValid(path)) return (null, ZnodeEndpoints.PathProblem(path));
        try
        {
            return (await browser.RunAsync(clusterId, (client, ct) => ZnodeWriter.PlanRecursiveDeleteAsync(client, path, ct), cancellationToken, TimeSpan.FromSeconds(60)).ConfigureAwait(false), null);
        }
        catch (Exception e) when (browser.IsExpected(e, cancellationToken))
        {
            return (null, ZnodeErrors.Describe(e));
        }
    }

    /// <summary>Applies a reviewed import plan; a gate refusal is one refused result.</summary>
    public async Task<(IReadOnlyList<ZnodeWriteResult> Results, ZnodeWriteAnswer? Refused)> ImportAsync(ZnodeActor actor, string clusterId, ImportPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(plan);
        if (await RefuseAsync(actor, clusterId, ZnodeChangeKind.Import, plan.Root, cancellationToken).ConfigureAwait(false) is { } refused) return ([], refused);
        try
        {
            var results = await browser.RunAsync(clusterId, (client, ct) => Writer(actor, clusterId, client).ApplyImportAsync(plan, ct), cancellationToken, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            return (results, null);
        }
        catch (Exception e) when (browser.IsExpected(e, cancellationToken))
        {
            return ([], new ZnodeWriteAnswer(null, ZnodeErrors.Describe(e), ZnodeEndpoints.StatusOf(e)));
        }
    }

    private async Task<ZnodeWriteAnswer> RunAsync(ZnodeActor actor, string clusterId, ZnodeChangeKind kind, string? path, Func<ZnodeWriter, CancellationToken, Task<ZnodeWriteResult>> change,
        CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (path is not null && await RefuseAsync(actor, clusterId, kind, path, cancellationToken).ConfigureAwait(false) is { } refused) return refused;
        if (path is not null && !ZooKeeperPath.IsValid(path)) return new ZnodeWriteAnswer(null, ZnodeEndpoints.PathProblem(path), StatusCodes.Status400BadRequest);
        try
        {
            var result = await browser.RunAsync(clusterId, (client, ct) => change(Writer(actor, clusterId, client), ct), cancellationToken, timeout).ConfigureAwait(false);
            return new ZnodeWriteAnswer(result, null, Status(result));
        }
        catch (Exception e) when (browser.IsExpected(e, cancellationToken))
        {
            return new ZnodeWriteAnswer(null, ZnodeErrors.Describe(e), ZnodeEndpoints.StatusOf(e));
        }
    }

    /// <summary>A refusal by the gate is an attempt like any other: it goes to the audit log with who asked.</summary>
    private async Task<ZnodeWriteAnswer?> RefuseAsync(ZnodeActor actor, string clusterId, ZnodeChangeKind kind, string path, CancellationToken cancellationToken)
    {
        if (gate.Refusal(actor.User) is not { } refusal) return null;
        var change = new ZnodeChange(clusterId, ZnodeWriteGate.Actor(actor.User, actor.Address), time.GetUtcNow(), kind, path, null, null, null, null, ZnodeChangeOutcome.Refused, refusal);
        await recorder.RecordAsync(change, cancellationToken).ConfigureAwait(false);
        return new ZnodeWriteAnswer(new ZnodeWriteResult(change, refusal) { RoleRefused = true }, refusal, StatusCodes.Status403Forbidden) { GateRefused = true };
    }

    /// <summary>Refusals by the role rule are 403 (as the gate's), other refusals 422, conflicts 409; failures by their ZooKeeper error.</summary>
    public static int Status(ZnodeWriteResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Change.Outcome switch
        {
            ZnodeChangeOutcome.Conflict => StatusCodes.Status409Conflict,
            ZnodeChangeOutcome.Refused when result.RoleRefused => StatusCodes.Status403Forbidden,
            ZnodeChangeOutcome.Refused => StatusCodes.Status422UnprocessableEntity,
            ZnodeChangeOutcome.Failed when result.Error is { } error => ZnodeEndpoints.StatusOf(error),
            _ => StatusCodes.Status200OK,
        };
    }

    private ZnodeWriter Writer(ZnodeActor actor, string clusterId, ZooKeeperClient client) => new(client, clusterId, ZnodeWriteGate.Actor(actor.User, actor.Address), recorder, time)
    {
        Role = DashboardPrincipal.RoleOf(actor.User) ?? DashboardRole.Viewer,
        Identities = pool.Identities(clusterId),
    };
}
