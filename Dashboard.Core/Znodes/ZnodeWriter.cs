using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>What a change did, for the page; <see cref="Conflict"/> is set when the node moved on since it was read.</summary>
public sealed record ZnodeWriteResult(ZnodeChange Change, string Message, ZnodeConflict? Conflict = null)
{
    public bool Applied => Change.Outcome == ZnodeChangeOutcome.Applied;
}

/// <summary>An edit made against an old version: both values, so the operator decides, never a silent overwrite.</summary>
#pragma warning disable CA1819 // Values as read and as attempted.
public sealed record ZnodeConflict(int ExpectedVersion, byte[] Attempted, NodeData Current);
#pragma warning restore CA1819

/// <summary>
/// Changes znodes on behalf of a person and records every attempt. Whether the person may change anything is
/// decided before this is called (the web app's write gate); this class only does the change safely: versioned
/// writes, typed confirmation for recursive deletes, bounded subtree walks.
/// </summary>
public sealed class ZnodeWriter(ZooKeeperClient client, string clusterId, string actor, IZnodeChangeRecorder recorder, TimeProvider time)
{
    /// <summary>Recursive deletes and exports refuse subtrees larger than this.</summary>
    public const int MaxSubtreeNodes = 10_000;

    public async Task<ZnodeWriteResult> CreateAsync(string path, byte[] data, CreateMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (mode is CreateMode.Ephemeral or CreateMode.EphemeralSequential)
            return await RecordAsync(ZnodeChangeKind.Create, path, null, null, null, data.Length, ZnodeChangeOutcome.Refused,
                "Ephemeral nodes would vanish with the dashboard's session; create persistent, sequential or container nodes.", cancellationToken).ConfigureAwait(false);
        try
        {
            var created = await client.CreateWithStatAsync(path, data, mode, null, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(ZnodeChangeKind.Create, created.Path, null, created.Stat.Version, null, data.Length, ZnodeChangeOutcome.Applied,
                $"Created {created.Path}.", cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e)
        {
            return await FailedAsync(ZnodeChangeKind.Create, path, null, e, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Replaces the data only if the node is still at <paramref name="expectedVersion"/>; otherwise reports both values.</summary>
    public async Task<ZnodeWriteResult> SetDataAsync(string path, byte[] data, int expectedVersion, int? sizeBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            var stat = await client.SetDataAsync(path, data, expectedVersion, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(ZnodeChangeKind.SetData, path, expectedVersion, stat.Version, sizeBefore, data.Length, ZnodeChangeOutcome.Applied,
                $"Saved {path} (version {expectedVersion} → {stat.Version}).", cancellationToken).ConfigureAwait(false);
        }
        catch (BadVersionException)
        {
            var current = await client.GetDataAsync(path, null, cancellationToken).ConfigureAwait(false);
            var change = Change(ZnodeChangeKind.SetData, path, expectedVersion, current.Stat.Version, sizeBefore, current.Data.Length, ZnodeChangeOutcome.Conflict,
                $"The node changed since it was read (version {expectedVersion}, now {current.Stat.Version}); nothing was written.");
            await recorder.RecordAsync(change, cancellationToken).ConfigureAwait(false);
            return new ZnodeWriteResult(change, change.Detail!, new ZnodeConflict(expectedVersion, data, current));
        }
        catch (ZooKeeperException e)
        {
            return await FailedAsync(ZnodeChangeKind.SetData, path, expectedVersion, e, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ZnodeWriteResult> DeleteAsync(string path, int expectedVersion, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.DeleteAsync(path, expectedVersion, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(ZnodeChangeKind.Delete, path, expectedVersion, null, null, null, ZnodeChangeOutcome.Applied, $"Deleted {path}.", cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e)
        {
            return await FailedAsync(ZnodeChangeKind.Delete, path, expectedVersion, e, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes a node and everything under it, only when <paramref name="typedConfirmation"/> is exactly the path
    /// (the operator saw the count and typed it). Leaves first; a node that appears meanwhile makes its parent's
    /// delete fail with "has children", which is reported, not retried.
    /// </summary>
    public async Task<ZnodeWriteResult> DeleteRecursiveAsync(string path, string? typedConfirmation, CancellationToken cancellationToken = default)
    {
        if (!string.Equals(typedConfirmation, path, StringComparison.Ordinal))
            return await RecordAsync(ZnodeChangeKind.DeleteRecursive, path, null, null, null, null, ZnodeChangeOutcome.Refused,
                "The typed confirmation does not match the path; nothing was deleted.", cancellationToken).ConfigureAwait(false);
        if (path is "/" or "/zookeeper" || path.StartsWith("/zookeeper/", StringComparison.Ordinal))
            return await RecordAsync(ZnodeChangeKind.DeleteRecursive, path, null, null, null, null, ZnodeChangeOutcome.Refused,
                "The root and ZooKeeper's own /zookeeper tree cannot be deleted.", cancellationToken).ConfigureAwait(false);
        try
        {
            var walk = await SubtreeWalker.CollectAsync(client, path, MaxSubtreeNodes, cancellationToken).ConfigureAwait(false);
            if (walk.Truncated)
                return await RecordAsync(ZnodeChangeKind.DeleteRecursive, path, null, null, null, null, ZnodeChangeOutcome.Refused,
                    $"The subtree has more than {MaxSubtreeNodes:N0} nodes; delete it in parts.", cancellationToken).ConfigureAwait(false);
            // Deepest level first; nodes of one level are deleted pipelined.
            foreach (var level in walk.Paths.GroupBy(Depth).OrderByDescending(g => g.Key))
            {
                await Task.WhenAll(level.Select(p => DeleteIfPresentAsync(p, cancellationToken))).ConfigureAwait(false);
            }
            return await RecordAsync(ZnodeChangeKind.DeleteRecursive, path, null, null, null, null, ZnodeChangeOutcome.Applied,
                $"Deleted {path} and {walk.Paths.Count - 1:N0} node(s) under it.", cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e)
        {
            return await FailedAsync(ZnodeChangeKind.DeleteRecursive, path, null, e, cancellationToken).ConfigureAwait(false);
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

    public async Task<ZnodeWriteResult> SetAclAsync(string path, IReadOnlyList<ZooKeeperAcl> acl, int expectedAclVersion, CancellationToken cancellationToken = default)
    {
        try
        {
            var stat = await client.SetAclAsync(path, acl, expectedAclVersion, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(ZnodeChangeKind.SetAcl, path, expectedAclVersion, stat.AclVersion, null, null, ZnodeChangeOutcome.Applied,
                $"ACL of {path} set to {string.Join(", ", acl)}.", cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e)
        {
            return await FailedAsync(ZnodeChangeKind.SetAcl, path, expectedAclVersion, e, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies a planned import: missing nodes created parents first (persistent), changed ones written only if
    /// still at the version the plan saw. Each step is recorded; the first failure stops the import.
    /// </summary>
    public async Task<IReadOnlyList<ZnodeWriteResult>> ApplyImportAsync(ImportPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var results = new List<ZnodeWriteResult>();
        foreach (var step in plan.Steps.Where(s => s.Action != ImportAction.Same))
        {
            ZnodeWriteResult result;
            try
            {
                if (step.Action == ImportAction.Create)
                {
                    var created = await client.CreateWithStatAsync(step.Path, step.Data, CreateMode.Persistent, step.Acl, cancellationToken).ConfigureAwait(false);
                    result = await RecordAsync(ZnodeChangeKind.Import, step.Path, null, created.Stat.Version, null, step.Data.Length, ZnodeChangeOutcome.Applied, $"Imported (created) {step.Path}.", cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var stat = await client.SetDataAsync(step.Path, step.Data, step.CurrentVersion ?? -1, cancellationToken).ConfigureAwait(false);
                    result = await RecordAsync(ZnodeChangeKind.Import, step.Path, step.CurrentVersion, stat.Version, step.CurrentSize, step.Data.Length, ZnodeChangeOutcome.Applied, $"Imported (updated) {step.Path}.", cancellationToken).ConfigureAwait(false);
                }
            }
            catch (BadVersionException)
            {
                result = await RecordAsync(ZnodeChangeKind.Import, step.Path, step.CurrentVersion, null, step.CurrentSize, step.Data.Length, ZnodeChangeOutcome.Conflict,
                    $"{step.Path} changed after the dry run; the import stopped there. Run the dry run again.", cancellationToken).ConfigureAwait(false);
            }
            catch (ZooKeeperException e)
            {
                result = await FailedAsync(ZnodeChangeKind.Import, step.Path, step.CurrentVersion, e, cancellationToken).ConfigureAwait(false);
            }
            results.Add(result);
            if (!result.Applied) break;
        }
        return results;
    }

    internal static int Depth(string path) => path == "/" ? 0 : path.Count(c => c == '/');

    private ZnodeChange Change(ZnodeChangeKind kind, string path, int? before, int? after, int? sizeBefore, int? sizeAfter, ZnodeChangeOutcome outcome, string detail) =>
        new(clusterId, actor, time.GetUtcNow(), kind, path, before, after, sizeBefore, sizeAfter, outcome, detail);

    private async Task<ZnodeWriteResult> RecordAsync(ZnodeChangeKind kind, string path, int? before, int? after, int? sizeBefore, int? sizeAfter, ZnodeChangeOutcome outcome, string detail, CancellationToken cancellationToken)
    {
        var change = Change(kind, path, before, after, sizeBefore, sizeAfter, outcome, detail);
        // The record is written even when the caller has gone: an applied change must not go unrecorded.
        await recorder.RecordAsync(change, CancellationToken.None).ConfigureAwait(false);
        return new ZnodeWriteResult(change, detail);
    }

    private Task<ZnodeWriteResult> FailedAsync(ZnodeChangeKind kind, string path, int? before, ZooKeeperException e, CancellationToken cancellationToken) =>
        RecordAsync(kind, path, before, null, null, null, ZnodeChangeOutcome.Failed, ZnodeErrors.Describe(e), cancellationToken);
}
