using System.Security.Cryptography;
using System.Text;
using Dashboard.Core.Access;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>
/// What a change did, for the page. <see cref="Conflict"/> is set when the node moved on since it was read;
/// <see cref="Replan"/> when a recursive delete found a different subtree than the one shown (ask again with it);
/// <see cref="NeedsConfirmation"/> when a typed confirmation would let the change through.
/// </summary>
public sealed record ZnodeWriteResult(ZnodeChange Change, string Message, ZnodeConflict? Conflict = null)
{
    public bool Applied => Change.Outcome == ZnodeChangeOutcome.Applied;
    public RecursiveDeletePlan? Replan { get; init; }
    public bool NeedsConfirmation { get; init; }

    /// <summary>The refusal is the role rule's (the person's role is not enough), not a problem with the change.</summary>
    public bool RoleRefused { get; init; }

    /// <summary>ZooKeeper's error when the change failed.</summary>
    public ZooKeeperException? Error { get; init; }
}

/// <summary>
/// An edit made against a node that moved on: both values, so the operator decides, never a silent overwrite.
/// <see cref="Recreated"/>: the node was deleted and created again (same version number, different identity).
/// </summary>
#pragma warning disable CA1819 // Values as read and as attempted.
public sealed record ZnodeConflict(int ExpectedVersion, byte[]? Attempted, NodeData Current, bool Recreated = false);
#pragma warning restore CA1819

/// <summary>What a recursive delete would remove: every node (deepest first when deleted) and a fingerprint of them.</summary>
public sealed record RecursiveDeletePlan(string Path, IReadOnlyList<string> Paths, IReadOnlyList<SkippedNode> Skipped, bool Truncated, string Fingerprint)
{
    public int Count => Paths.Count;
}

/// <summary>
/// Changes znodes on behalf of a person and records every attempt, refused ones included. Whether the person may
/// change anything at all is decided before this is called (the web app's write gate); this class holds the rules
/// every caller shares: ACL changes need the admin role, versioned writes onto the node that was read (version and
/// czxid), typed confirmations, bounded subtree walks, and "before" facts read from ZooKeeper.
/// </summary>
public sealed class ZnodeWriter(ZooKeeperClient client, string clusterId, string actor, IZnodeChangeRecorder recorder, TimeProvider time)
{
    /// <summary>Recursive deletes and exports refuse subtrees larger than this.</summary>
    public const int MaxSubtreeNodes = 10_000;

    /// <summary>The person's role (ACL changes and ACL-carrying imports need admin); operator unless said.</summary>
    public DashboardRole Role { get; init; } = DashboardRole.Operator;

    /// <summary>Who the dashboard is to ZooKeeper, for the ACL lock-out check.</summary>
    public DashboardIdentities Identities { get; init; } = DashboardIdentities.Anonymous;

    /// <summary>
    /// The largest value ZooKeeper takes for <paramref name="path"/> through this client: the frame limit less the
    /// request's own bytes (header, path with chroot, lengths, version), not the size of any encoded form.
    /// </summary>
    public static int MaxValueBytes(ZooKeeperClient client, string path)
    {
        ArgumentNullException.ThrowIfNull(client);
        var serverPath = client.Chroot is { Length: > 0 } chroot ? (path == "/" ? chroot : chroot + path) : path;
        return client.Options.MaxFrameSize - 8 - 4 - Encoding.UTF8.GetByteCount(serverPath) - 4 - 4;
    }

    private string? TooLarge(string path, byte[]? data)
    {
        var max = MaxValueBytes(client, path);
        return data is not null && data.Length > max
            ? $"The value is {data.Length:N0} bytes; ZooKeeper accepts at most {max:N0} bytes for this node through the dashboard (the setting Znodes:MaxFrameSize, {client.Options.MaxFrameSize:N0}, less the request's own bytes; raise it together with the servers' jute.maxbuffer). Nothing was written."
            : null;
    }

    public async Task<ZnodeWriteResult> CreateAsync(string path, byte[]? data, CreateMode mode, CancellationToken cancellationToken = default)
    {
        var attempt = Change(ZnodeChangeKind.Create, path, null, null, null, data?.Length, ZnodeChangeOutcome.Refused, "") with { ValueAfter = ZnodeValueSummary.Describe(data) };
        if (mode is CreateMode.Ephemeral or CreateMode.EphemeralSequential)
            return await RecordAsync(attempt, "Ephemeral nodes would vanish with the dashboard's session; create persistent, sequential or container nodes.").ConfigureAwait(false);
        if (TooLarge(path, data) is { } tooLarge) return await RecordAsync(attempt, tooLarge).ConfigureAwait(false);
        try
        {
            var created = await client.CreateOrNullWithStatAsync(path, data, mode, null, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(attempt with { Path = created.Path, VersionAfter = created.Stat.Version, Outcome = ZnodeChangeOutcome.Applied }, $"Created {created.Path}.").ConfigureAwait(false);
        }
        catch (NoNodeException e)
        {
            // ZooKeeper answers a create under a missing parent with "no node" for the path being created.
            return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Failed }, MissingParent(path)).ConfigureAwait(false) with { Error = e };
        }
        catch (ZooKeeperException e)
        {
            return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Failed }, ZnodeErrors.Describe(e)).ConfigureAwait(false) with { Error = e };
        }
    }

    /// <summary>
    /// Replaces the data only on the node that was read: same identity (<paramref name="expectedCzxid"/>; a node
    /// deleted and created again starts at version 0 too) and still at <paramref name="expectedVersion"/>. Otherwise
    /// reports both values. A value equal to the one in ZooKeeper is not written at all. Null and empty differ.
    /// </summary>
    public async Task<ZnodeWriteResult> SetDataAsync(string path, byte[]? data, int expectedVersion, long expectedCzxid, CancellationToken cancellationToken = default)
    {
        var attempt = Change(ZnodeChangeKind.SetData, path, expectedVersion, null, null, data?.Length, ZnodeChangeOutcome.Refused, "") with { ValueAfter = ZnodeValueSummary.Describe(data) };
        if (TooLarge(path, data) is { } tooLarge) return await RecordAsync(attempt, tooLarge).ConfigureAwait(false);
        try
        {
            var current = await ReadForChangeAsync(path, cancellationToken).ConfigureAwait(false);
            attempt = attempt with
            {
                SizeBefore = current.Node.Stat.DataLength,
                ValueBefore = current.Readable ? ZnodeValueSummary.Describe(current.Node.IsNull ? null : current.Node.Data) : "not readable by the dashboard",
            };
            if (current.Node.Stat.CreatedZxid != expectedCzxid)
                return await ConflictAsync(attempt, expectedVersion, data, current.Node, recreated: true,
                    $"{path} was deleted and created again since it was read (identity czxid {new Zxid(expectedCzxid).Hex}, now {new Zxid(current.Node.Stat.CreatedZxid).Hex}); nothing was written.").ConfigureAwait(false);
            if (current.Node.Stat.Version != expectedVersion)
                return await ConflictAsync(attempt, expectedVersion, data, current.Node, recreated: false,
                    $"The node changed since it was read (version {expectedVersion}, now {current.Node.Stat.Version}); nothing was written.").ConfigureAwait(false);
            if (current.Readable && current.Node.IsNull == (data is null) && current.Node.Data.AsSpan().SequenceEqual(data ?? []))
                return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Unchanged, VersionAfter = expectedVersion },
                    $"Nothing changed: the value is the same as in ZooKeeper (version {expectedVersion}); nothing was written.").ConfigureAwait(false);

            var stat = await client.SetDataOrNullAsync(path, data, expectedVersion, cancellationToken).ConfigureAwait(false);
            // The identity was checked just before; a delete and re-create in the instant between is reported, not hidden.
            var note = stat.CreatedZxid == expectedCzxid ? "" : $" Warning: the node's identity changed to {new Zxid(stat.CreatedZxid).Hex} while saving; check it.";
            return await RecordAsync(attempt with { VersionAfter = stat.Version, Outcome = ZnodeChangeOutcome.Applied },
                $"Saved {path} (version {expectedVersion} → {stat.Version}).{note}").ConfigureAwait(false);
        }
        catch (BadVersionException)
        {
            var now = await ReadForChangeAsync(path, cancellationToken).ConfigureAwait(false);
            return await ConflictAsync(attempt, expectedVersion, data, now.Node, now.Node.Stat.CreatedZxid != expectedCzxid,
                $"The node changed since it was read (version {expectedVersion}, now {now.Node.Stat.Version}); nothing was written.").ConfigureAwait(false);
        }
        catch (ZooKeeperException e)
        {
            return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Failed }, ZnodeErrors.Describe(e)).ConfigureAwait(false) with { Error = e };
        }
    }

    private async Task<ZnodeWriteResult> ConflictAsync(ZnodeChange attempt, int expectedVersion, byte[]? data, NodeData current, bool recreated, string message)
    {
        var change = attempt with { Outcome = ZnodeChangeOutcome.Conflict, VersionAfter = current.Stat.Version, Detail = message };
        await recorder.RecordAsync(change, CancellationToken.None).ConfigureAwait(false);
        return new ZnodeWriteResult(change, message, new ZnodeConflict(expectedVersion, data, current, recreated));
    }

    /// <summary>The node as it is now: its data when the dashboard may read it, else only its stat (which ZooKeeper gives without read permission).</summary>
    private async Task<(NodeData Node, bool Readable)> ReadForChangeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetDataAsync(path, null, cancellationToken).ConfigureAwait(false), true);
        }
        catch (NoAuthException)
        {
            var stat = await client.ExistsAsync(path, null, cancellationToken).ConfigureAwait(false) ?? throw new NoNodeException(path);
            return (new NodeData([], stat), false);
        }
    }

    public async Task<ZnodeWriteResult> DeleteAsync(string path, int expectedVersion, CancellationToken cancellationToken = default)
    {
        var attempt = Change(ZnodeChangeKind.Delete, path, expectedVersion, null, null, null, ZnodeChangeOutcome.Failed, "");
        try
        {
            var current = await ReadForChangeAsync(path, cancellationToken).ConfigureAwait(false);
            attempt = attempt with { SizeBefore = current.Node.Stat.DataLength, ValueBefore = current.Readable ? ZnodeValueSummary.Describe(current.Node.IsNull ? null : current.Node.Data) : "not readable by the dashboard" };
            await client.DeleteAsync(path, expectedVersion, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Applied, ValueAfter = "deleted" }, $"Deleted {path}.").ConfigureAwait(false);
        }
        catch (BadVersionException e)
        {
            return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Conflict }, ZnodeErrors.Describe(e)).ConfigureAwait(false) with { Error = e };
        }
        catch (ZooKeeperException e)
        {
            return await RecordAsync(attempt, ZnodeErrors.Describe(e)).ConfigureAwait(false) with { Error = e };
        }
    }

    /// <summary>
    /// Lists what a recursive delete of <paramref name="path"/> would remove. Nodes whose children cannot be listed
    /// are reported as skipped (such a subtree cannot be deleted exactly, so the delete refuses it).
    /// </summary>
    public static async Task<RecursiveDeletePlan> PlanRecursiveDeleteAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken = default)
    {
        var walk = await SubtreeWalker.CollectAsync(client, path, MaxSubtreeNodes, cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        foreach (var p in walk.Paths.Order(StringComparer.Ordinal))
        {
            text.Append(p).Append('\0');
            if (walk.Stats.TryGetValue(p, out var stat)) text.Append(stat.CreatedZxid).Append('\0').Append(stat.Version);
            text.Append('\n');
        }
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
        return new RecursiveDeletePlan(path, walk.Paths, walk.Skipped, walk.Truncated, fingerprint);
    }

    /// <summary>
    /// Deletes a node and everything under it, only when <paramref name="typedConfirmation"/> is the path (exactly, or as the page shows it)
    /// and the subtree is still the one the person was shown (<paramref name="expectedFingerprint"/>); otherwise
    /// nothing is deleted and the new plan is returned to ask again. Leaves first; a node that appears meanwhile
    /// makes its parent's delete fail with "has children", which is reported, not retried.
    /// </summary>
    public async Task<ZnodeWriteResult> DeleteRecursiveAsync(string path, string? typedConfirmation, string? expectedFingerprint, CancellationToken cancellationToken = default)
    {
        var attempt = Change(ZnodeChangeKind.DeleteRecursive, path, null, null, null, null, ZnodeChangeOutcome.Refused, "");
        if (!Text.VisibleText.Confirms(typedConfirmation, path))
            return await RecordAsync(attempt, "The typed confirmation does not match the path; nothing was deleted.").ConfigureAwait(false);
        if (path is "/" or "/zookeeper" || path.StartsWith("/zookeeper/", StringComparison.Ordinal))
            return await RecordAsync(attempt, "The root and ZooKeeper's own /zookeeper tree cannot be deleted.").ConfigureAwait(false);
        try
        {
            var plan = await PlanRecursiveDeleteAsync(client, path, cancellationToken).ConfigureAwait(false);
            attempt = attempt with { Paths = plan.Paths };
            if (plan.Truncated)
                return await RecordAsync(attempt, $"The subtree has more than {MaxSubtreeNodes:N0} nodes; delete it in parts.").ConfigureAwait(false);
            if (plan.Skipped.Count > 0)
                return await RecordAsync(attempt, $"{plan.Skipped.Count:N0} node(s) under {path} cannot be listed ({Visible.Text(plan.Skipped[0].Path)}: {plan.Skipped[0].Reason}); the subtree cannot be deleted exactly, so nothing was deleted.").ConfigureAwait(false) with { Replan = plan };
            if (!string.Equals(plan.Fingerprint, expectedFingerprint, StringComparison.Ordinal))
                return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Conflict },
                    $"The subtree changed since it was shown: it now has {plan.Count:N0} node(s). Nothing was deleted; confirm again to delete these.").ConfigureAwait(false) with { Replan = plan };

            // Deepest level first; nodes of one level are deleted pipelined.
            foreach (var level in plan.Paths.GroupBy(Depth).OrderByDescending(g => g.Key))
            {
                await Task.WhenAll(level.Select(p => DeleteIfPresentAsync(p, cancellationToken))).ConfigureAwait(false);
            }
            return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Applied }, $"Deleted {path} and {plan.Count - 1:N0} node(s) under it.").ConfigureAwait(false);
        }
        catch (ZooKeeperException e)
        {
            return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Failed }, ZnodeErrors.Describe(e)).ConfigureAwait(false) with { Error = e };
        }
    }

    private async Task DeleteIfPresentAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteAsync(path, -1, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            // Someone else removed it first: the goal is reached.
        }
    }

    /// <summary>
    /// Replaces a node's ACL: admin role only; refused without <paramref name="typedConfirmation"/> (the path) when the new
    /// ACL would lock the dashboard out of ever changing it again (<see cref="AclLockout"/>).
    /// </summary>
    public async Task<ZnodeWriteResult> SetAclAsync(string path, IReadOnlyList<ZooKeeperAcl> acl, int expectedAclVersion, string? typedConfirmation = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(acl);
        var attempt = Change(ZnodeChangeKind.SetAcl, path, expectedAclVersion, null, null, null, ZnodeChangeOutcome.Refused, "") with { AclAfter = ZnodeValueSummary.DescribeAcl(acl) };
        if (!Role.Includes(DashboardRole.Admin))
            return await RecordAsync(attempt, "Changing an ACL needs the admin role; nothing was changed.").ConfigureAwait(false) with { RoleRefused = true };
        try
        {
            var before = await client.GetAclAsync(path, cancellationToken).ConfigureAwait(false);
            attempt = attempt with { AclBefore = ZnodeValueSummary.DescribeAcl(before.Acl) };
            if (AclLockout.Problem(acl, Identities) is { } lockout && !Text.VisibleText.Confirms(typedConfirmation, path))
                return await RecordAsync(attempt, lockout + " Type the path to confirm; nothing was changed.").ConfigureAwait(false) with { NeedsConfirmation = true };
            var stat = await client.SetAclAsync(path, acl, expectedAclVersion, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(attempt with { VersionAfter = stat.AclVersion, Outcome = ZnodeChangeOutcome.Applied },
                $"ACL of {path} set to {ZnodeValueSummary.DescribeAcl(acl)}.").ConfigureAwait(false);
        }
        catch (BadVersionException e)
        {
            return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Conflict }, ZnodeErrors.Describe(e)).ConfigureAwait(false) with { Error = e };
        }
        catch (ZooKeeperException e)
        {
            return await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Failed }, ZnodeErrors.Describe(e)).ConfigureAwait(false) with { Error = e };
        }
    }

    /// <summary>
    /// Applies a planned import: missing nodes created parents first (persistent), changed ones written only if
    /// still at the version the plan saw, ACLs set where the file's differ. Nothing is written when the plan has
    /// problems (duplicates, missing parents) or carries ACLs without the admin role. Each step is recorded; the
    /// first failure stops the import.
    /// </summary>
    public async Task<IReadOnlyList<ZnodeWriteResult>> ApplyImportAsync(ImportPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var touched = plan.Steps.Where(s => s.Changes).Select(s => s.Path).ToList();
        var refusal = plan.Problems.Count > 0 ? $"The dry run found {plan.Problems.Count} problem(s) ({plan.Problems[0]}); nothing was written."
            : plan.CarriesAcls && !Role.Includes(DashboardRole.Admin) ? "This import sets ACLs, which needs the admin role; nothing was written."
            : null;
        if (refusal is not null)
            return [await RecordAsync(Change(ZnodeChangeKind.Import, plan.Root, null, null, null, null, ZnodeChangeOutcome.Refused, "") with { Paths = touched }, refusal).ConfigureAwait(false) with { RoleRefused = plan.Problems.Count == 0 }];
        var results = new List<ZnodeWriteResult>();
        foreach (var step in plan.Steps.Where(s => s.Changes))
        {
            var attempt = Change(ZnodeChangeKind.Import, step.Path, step.CurrentVersion, null, step.CurrentSize, step.Data?.Length, ZnodeChangeOutcome.Failed, "") with
            {
                ValueBefore = step.Action == ImportAction.Create ? "absent" : ZnodeValueSummary.Describe(step.CurrentData),
                ValueAfter = ZnodeValueSummary.Describe(step.Action == ImportAction.Create || step.Action == ImportAction.Update ? step.Data : step.CurrentData),
                AclBefore = step.CurrentAcl is null ? null : ZnodeValueSummary.DescribeAcl(step.CurrentAcl),
                AclAfter = step.AclChanges || step.Action == ImportAction.Create ? ZnodeValueSummary.DescribeAcl(step.Acl) : null,
            };
            ZnodeWriteResult result;
            try
            {
                if (step.Action == ImportAction.Create)
                {
                    var created = await client.CreateOrNullWithStatAsync(step.Path, step.Data, CreateMode.Persistent, step.Acl, cancellationToken).ConfigureAwait(false);
                    result = await RecordAsync(attempt with { VersionAfter = created.Stat.Version, Outcome = ZnodeChangeOutcome.Applied }, $"Imported (created) {step.Path}.").ConfigureAwait(false);
                }
                else
                {
                    var version = step.CurrentVersion;
                    if (step.Action == ImportAction.Update)
                        version = (await client.SetDataOrNullAsync(step.Path, step.Data, step.CurrentVersion ?? -1, cancellationToken).ConfigureAwait(false)).Version;
                    if (step.AclChanges)
                        await client.SetAclAsync(step.Path, step.Acl, step.CurrentAclVersion ?? -1, cancellationToken).ConfigureAwait(false);
                    result = await RecordAsync(attempt with { VersionAfter = version, Outcome = ZnodeChangeOutcome.Applied },
                        $"Imported ({(step.Action == ImportAction.Update ? "updated" : "")}{(step.Action == ImportAction.Update && step.AclChanges ? ", " : "")}{(step.AclChanges ? "ACL set" : "")}) {step.Path}.").ConfigureAwait(false);
                }
            }
            catch (BadVersionException)
            {
                result = await RecordAsync(attempt with { Outcome = ZnodeChangeOutcome.Conflict }, $"{step.Path} changed after the dry run; the import stopped there. Run the dry run again.").ConfigureAwait(false);
            }
            catch (NoNodeException e) when (step.Action == ImportAction.Create)
            {
                result = await RecordAsync(attempt, MissingParent(step.Path) + " The import stopped there.").ConfigureAwait(false) with { Error = e };
            }
            catch (ZooKeeperException e)
            {
                result = await RecordAsync(attempt, ZnodeErrors.Describe(e)).ConfigureAwait(false) with { Error = e };
            }
            results.Add(result);
            if (!result.Applied) break;
        }
        return results;
    }

    private static string MissingParent(string path)
    {
        var parent = path.LastIndexOf('/') is var i and > 0 ? path[..i] : "/";
        return $"The parent {Visible.Text(parent)} does not exist, so {Visible.Text(path)} cannot be created; create the parent first. Nothing was written.";
    }

    internal static int Depth(string path) => path == "/" ? 0 : path.Count(c => c == '/');

    private ZnodeChange Change(ZnodeChangeKind kind, string path, int? before, int? after, int? sizeBefore, int? sizeAfter, ZnodeChangeOutcome outcome, string detail) =>
        new(clusterId, actor, time.GetUtcNow(), kind, path, before, after, sizeBefore, sizeAfter, outcome, detail);

    private async Task<ZnodeWriteResult> RecordAsync(ZnodeChange change, string message)
    {
        change = change with { Detail = message };
        // The record is written even when the caller has gone: an applied change must not go unrecorded.
        await recorder.RecordAsync(change, CancellationToken.None).ConfigureAwait(false);
        return new ZnodeWriteResult(change, message);
    }
}
