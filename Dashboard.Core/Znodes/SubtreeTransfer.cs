using System.Text.Json;
using System.Text.Json.Serialization;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

public sealed record ExportedAcl(int Perms, string Scheme, string Id);

/// <summary>A stat as exported: times in epoch milliseconds, zxids as numbers (informational; import ignores them).</summary>
public sealed record ExportedStat(long Czxid, long Mzxid, long Pzxid, long Ctime, long Mtime, int Version, int Cversion, int Aversion, long EphemeralOwner, int DataLength, int NumChildren)
{
    public static ExportedStat From(NodeStat s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.CreatedZxid, s.ModifiedZxid, s.ChildrenModifiedZxid, s.Created.ToUnixTimeMilliseconds(), s.Modified.ToUnixTimeMilliseconds(),
            s.Version, s.ChildrenVersion, s.AclVersion, s.EphemeralOwner, s.DataLength, s.ChildrenCount);
    }
}

/// <summary>One node of an export; <see cref="Data"/> is base64 so any bytes survive the JSON.</summary>
public sealed record ExportedNode(string Path, string Data, ExportedStat? Stat, IReadOnlyList<ExportedAcl> Acl);

public sealed record SubtreeExport(string Format, string Root, DateTimeOffset ExportedAt, IReadOnlyList<ExportedNode> Nodes)
{
    public const string CurrentFormat = "zk-dashboard-subtree/1";
}

public enum ImportAction { Create, Update, Same }

#pragma warning disable CA1819 // The bytes to write.
public sealed record ImportStep(string Path, ImportAction Action, int? CurrentVersion, int? CurrentSize, byte[] Data, IReadOnlyList<ZooKeeperAcl> Acl);
#pragma warning restore CA1819

/// <summary>What an import would do (the dry run), computed against the live tree; nothing is deleted by an import.</summary>
public sealed record ImportPlan(string Root, IReadOnlyList<ImportStep> Steps)
{
    public int Creates => Steps.Count(s => s.Action == ImportAction.Create);
    public int Updates => Steps.Count(s => s.Action == ImportAction.Update);
    public int Unchanged => Steps.Count(s => s.Action == ImportAction.Same);
}

/// <summary>Exports a subtree to JSON and plans its import back (same or another root) as a diff.</summary>
public static class SubtreeTransfer
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
    };

    public static async Task<SubtreeExport> ExportAsync(ZooKeeperClient client, string root, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var walk = await SubtreeWalker.CollectAsync(client, root, ZnodeWriter.MaxSubtreeNodes, cancellationToken).ConfigureAwait(false);
        if (walk.Truncated) throw new ArgumentException($"The subtree under {root} has more than {ZnodeWriter.MaxSubtreeNodes:N0} nodes; export a smaller part.");
        var nodes = await Task.WhenAll(walk.Paths.Select(async path =>
        {
            var data = client.GetDataAsync(path, null, cancellationToken);
            var acl = client.GetAclAsync(path, cancellationToken);
            try
            {
                await Task.WhenAll(data, acl).ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
                return null; // deleted while we exported
            }
            var node = await data.ConfigureAwait(false);
            return new ExportedNode(path, Convert.ToBase64String(node.Data), ExportedStat.From(node.Stat),
                (await acl.ConfigureAwait(false)).Acl.Select(a => new ExportedAcl((int)a.Permissions, a.Scheme, a.Id)).ToList());
        })).ConfigureAwait(false);
        return new SubtreeExport(SubtreeExport.CurrentFormat, root, now, nodes.OfType<ExportedNode>().ToList());
    }

    /// <summary>Reads an export, refusing anything malformed: wrong format, bad base64, paths outside its root.</summary>
    public static SubtreeExport Parse(string json)
    {
        SubtreeExport? export;
        try
        {
            export = JsonSerializer.Deserialize<SubtreeExport>(json, Json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The file is not a subtree export: {e.Message}", e);
        }
        if (export is null || export.Format != SubtreeExport.CurrentFormat || export.Nodes is null || export.Root is null)
            throw new ArgumentException($"The file is not a subtree export (format \"{SubtreeExport.CurrentFormat}\" expected).");
        if (export.Nodes.Count > ZnodeWriter.MaxSubtreeNodes) throw new ArgumentException($"The export has more than {ZnodeWriter.MaxSubtreeNodes:N0} nodes.");
        ZooKeeperPath.Validate(export.Root);
        foreach (var node in export.Nodes)
        {
            ZooKeeperPath.Validate(node.Path);
            if (Relative(export.Root, node.Path) is null) throw new ArgumentException($"{Visible.Text(node.Path)} lies outside the export's root {export.Root}.");
            try { Convert.FromBase64String(node.Data ?? ""); }
            catch (FormatException e) { throw new ArgumentException($"The data of {Visible.Text(node.Path)} is not base64.", e); }
        }
        return export;
    }

    /// <summary>Compares the export, moved under <paramref name="targetRoot"/>, with the live tree.</summary>
    public static async Task<ImportPlan> PlanAsync(ZooKeeperClient client, SubtreeExport export, string targetRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(export);
        ZooKeeperPath.Validate(targetRoot);
        var targets = export.Nodes
            .Select(n => (Node: n, Path: Join(targetRoot, Relative(export.Root, n.Path)!)))
            .OrderBy(t => ZnodeWriter.Depth(t.Path)).ThenBy(t => t.Path, StringComparer.Ordinal)
            .ToList();
        foreach (var t in targets) ZooKeeperPath.Validate(t.Path);
        var current = await Task.WhenAll(targets.Select(async t =>
        {
            try { return await client.GetDataAsync(t.Path, null, cancellationToken).ConfigureAwait(false); }
            catch (NoNodeException) { return null; }
        })).ConfigureAwait(false);
        var steps = targets.Select((t, i) =>
        {
            var data = Convert.FromBase64String(t.Node.Data ?? "");
            var acl = t.Node.Acl is { Count: > 0 } ? t.Node.Acl.Select(a => new ZooKeeperAcl((Permissions)a.Perms, a.Scheme, a.Id)).ToList() : ZooKeeperAcl.OpenUnsafe.ToList();
            var now = current[i];
            var action = now is null ? ImportAction.Create : now.Data.AsSpan().SequenceEqual(data) ? ImportAction.Same : ImportAction.Update;
            return new ImportStep(t.Path, action, now?.Stat.Version, now?.Data.Length, data, acl);
        }).ToList();
        return new ImportPlan(targetRoot, steps);
    }

    private static string? Relative(string root, string path) =>
        path == root ? "" : root == "/" ? path : path.StartsWith(root + "/", StringComparison.Ordinal) ? path[root.Length..] : null;

    private static string Join(string root, string relative) => relative.Length == 0 ? root : root == "/" ? relative : root + relative;
}
