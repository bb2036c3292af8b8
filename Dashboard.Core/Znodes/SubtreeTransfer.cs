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

/// <summary>
/// One node of an export; <see cref="Data"/> is base64 so any bytes survive the JSON, and null (the property
/// absent) for a null value, so null and empty ("") stay apart. <see cref="Acl"/> absent: the import sets none.
/// </summary>
public sealed record ExportedNode(string Path, string? Data, ExportedStat? Stat, IReadOnlyList<ExportedAcl>? Acl);

/// <summary><see cref="Skipped"/>: nodes the export could not read, with the reason (the rest is exported).</summary>
public sealed record SubtreeExport(string Format, string Root, DateTimeOffset ExportedAt, IReadOnlyList<ExportedNode> Nodes, IReadOnlyList<SkippedNode>? Skipped = null)
{
    public const string CurrentFormat = "zk-dashboard-subtree/1";
}

public enum ImportAction { Create, Update, Same }

#pragma warning disable CA1819 // The bytes to write and as read.
/// <summary>
/// One node of an import as planned against the live tree: what is there now (data, version, ACL, read from
/// ZooKeeper) and what the file says. <see cref="AclChanges"/>: the node exists and the file's ACL differs.
/// </summary>
public sealed record ImportStep(string Path, ImportAction Action, int? CurrentVersion, int? CurrentSize, byte[]? Data, IReadOnlyList<ZooKeeperAcl> Acl)
{
    public byte[]? CurrentData { get; init; }
    public IReadOnlyList<ZooKeeperAcl>? CurrentAcl { get; init; }
    public int? CurrentAclVersion { get; init; }
    public bool AclChanges { get; init; }

    /// <summary>The file gave an ACL for this node (else created nodes get the open ACL and existing ones keep theirs).</summary>
    public bool HasAcl { get; init; }

    public bool Changes => Action != ImportAction.Same || AclChanges;
}
#pragma warning restore CA1819

/// <summary>
/// What an import would do (the dry run), computed against the live tree; nothing is deleted by an import.
/// <see cref="Problems"/> (duplicate paths, missing parents, unreadable nodes) stop the apply before anything is written.
/// </summary>
public sealed record ImportPlan(string Root, IReadOnlyList<ImportStep> Steps)
{
    public IReadOnlyList<string> Problems { get; init; } = [];
    public int Creates => Steps.Count(s => s.Action == ImportAction.Create);
    public int Updates => Steps.Count(s => s.Action == ImportAction.Update);
    public int Unchanged => Steps.Count(s => !s.Changes);
    public int AclChanges => Steps.Count(s => s.AclChanges);

    /// <summary>Whether applying sets any ACL (on a created node or an existing one): that needs the admin role.</summary>
    public bool CarriesAcls => Steps.Any(s => s.AclChanges || (s.Action == ImportAction.Create && s.HasAcl));
}

/// <summary>Exports a subtree to JSON and plans its import back (same or another root) as a diff.</summary>
public static class SubtreeTransfer
{
    /// <summary>Nodes read at once while exporting: bounds the memory an export holds (each value up to ~1 MB).</summary>
    public const int ExportBatch = 16;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
    };

    /// <summary>
    /// Writes the export of <paramref name="root"/> to <paramref name="output"/> as it reads it: a batch of nodes
    /// at a time, so memory stays bounded by <see cref="ExportBatch"/> values whatever the subtree holds. Nodes it
    /// cannot read are listed under <c>skipped</c> with the reason. The walk (paths only) runs first, so a missing
    /// root or a subtree too large fails before anything is written.
    /// </summary>
    public static async Task<SubtreeWalk> ExportAsync(ZooKeeperClient client, string root, DateTimeOffset now, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(output);
        var walk = await SubtreeWalker.CollectAsync(client, root, MaxNodes, cancellationToken).ConfigureAwait(false);
        if (walk.Truncated) throw new ArgumentException($"The subtree under {root} has more than {MaxNodes:N0} nodes; export a smaller part.");
        var skipped = new List<SkippedNode>(walk.Skipped);
        // Written into a buffer that goes out (asynchronously: a response stream refuses synchronous writes) after each batch.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("format", SubtreeExport.CurrentFormat);
        json.WriteString("root", root);
        json.WriteString("exportedAt", now);
        json.WritePropertyName("nodes");
        json.WriteStartArray();
        foreach (var batch in walk.Paths.Chunk(ExportBatch))
        {
            var nodes = await Task.WhenAll(batch.Select(path => ReadNodeAsync(client, path, cancellationToken))).ConfigureAwait(false);
            foreach (var node in nodes)
            {
                // A node whose children could not be listed may still have readable data: exported, and listed as skipped once.
                if (node is SkippedNode skip) { if (!skipped.Any(k => k.Path == skip.Path)) skipped.Add(skip); }
                else if (node is ExportedNode exported) JsonSerializer.Serialize(json, exported, Json);
            }
            await DrainAsync(json, buffer, output, cancellationToken).ConfigureAwait(false);
        }
        json.WriteEndArray();
        json.WritePropertyName("skipped");
        JsonSerializer.Serialize(json, skipped, Json);
        json.WriteEndObject();
        await DrainAsync(json, buffer, output, cancellationToken).ConfigureAwait(false);
        return walk with { Skipped = skipped };
    }

    private static async Task DrainAsync(Utf8JsonWriter json, System.Buffers.ArrayBufferWriter<byte> buffer, Stream output, CancellationToken cancellationToken)
    {
        json.Flush();
        await output.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        buffer.ResetWrittenCount();
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private const int MaxNodes = ZnodeWriter.MaxSubtreeNodes;

    /// <summary>The node for the export, null when it was deleted meanwhile, or why it could not be read.</summary>
    private static async Task<object?> ReadNodeAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        var data = client.GetDataAsync(path, null, cancellationToken);
        var acl = client.GetAclAsync(path, cancellationToken);
        try
        {
            await Task.WhenAll(data, acl).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return null;
        }
        catch (ZooKeeperException e) when (ZnodeErrors.IsPerNode(e))
        {
            return new SkippedNode(path, ZnodeErrors.Describe(e));
        }
        var node = await data.ConfigureAwait(false);
        return new ExportedNode(path, node.IsNull ? null : Convert.ToBase64String(node.Data), ExportedStat.From(node.Stat),
            (await acl.ConfigureAwait(false)).Acl.Select(a => new ExportedAcl((int)a.Permissions, a.Scheme, a.Id)).ToList());
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
        if (export.Nodes.Count > MaxNodes) throw new ArgumentException($"The export has more than {MaxNodes:N0} nodes.");
        ZooKeeperPath.Validate(export.Root);
        foreach (var node in export.Nodes)
        {
            if (node?.Path is null) throw new ArgumentException("A node of the export has no path.");
            ZooKeeperPath.Validate(node.Path);
            if (Relative(export.Root, node.Path) is null) throw new ArgumentException($"{Visible.Text(node.Path)} lies outside the export's root {export.Root}.");
            try { _ = node.Data is null ? null : Convert.FromBase64String(node.Data); }
            catch (FormatException e) { throw new ArgumentException($"The data of {Visible.Text(node.Path)} is not base64.", e); }
        }
        return export;
    }

    /// <summary>
    /// Compares the export, moved under <paramref name="targetRoot"/>, with the live tree: data, ACLs, duplicate
    /// paths and parents that neither exist nor are created by the import.
    /// </summary>
    public static async Task<ImportPlan> PlanAsync(ZooKeeperClient client, SubtreeExport export, string targetRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(export);
        ZooKeeperPath.Validate(targetRoot);
        var problems = new List<string>();
        var targets = export.Nodes
            .Select(n => (Node: n, Path: Join(targetRoot, Relative(export.Root, n.Path)!)))
            .OrderBy(t => ZnodeWriter.Depth(t.Path)).ThenBy(t => t.Path, StringComparer.Ordinal)
            .ToList();
        foreach (var t in targets) ZooKeeperPath.Validate(t.Path);
        foreach (var duplicate in targets.GroupBy(t => t.Path, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"{Visible.Text(duplicate.Key)} appears {duplicate.Count()} times in the file");
        targets = targets.DistinctBy(t => t.Path, StringComparer.Ordinal).ToList();

        var current = await Task.WhenAll(targets.Select(t => CurrentAsync(client, t.Path, cancellationToken))).ConfigureAwait(false);
        var steps = new List<ImportStep>();
        for (var i = 0; i < targets.Count; i++)
        {
            var (node, path) = targets[i];
            var data = node.Data is null ? null : Convert.FromBase64String(node.Data);
            var hasAcl = node.Acl is { Count: > 0 };
            var acl = hasAcl ? node.Acl!.Select(a => new ZooKeeperAcl((Permissions)a.Perms, a.Scheme, a.Id)).ToList() : ZooKeeperAcl.OpenUnsafe.ToList();
            var (now, nowAcl, problem) = current[i];
            if (problem is not null) problems.Add($"{Visible.Text(path)}: {problem}");
            var same = now is not null && now.IsNull == (data is null) && now.Data.AsSpan().SequenceEqual(data ?? []);
            var action = now is null ? ImportAction.Create : same ? ImportAction.Same : ImportAction.Update;
            steps.Add(new ImportStep(path, action, now?.Stat.Version, now?.Data.Length, data, acl)
            {
                CurrentData = now is null || now.IsNull ? null : now.Data,
                CurrentAcl = nowAcl?.Acl,
                CurrentAclVersion = nowAcl?.Stat.AclVersion,
                HasAcl = hasAcl,
                AclChanges = hasAcl && nowAcl is not null && !SameAcl(nowAcl.Acl, acl),
            });
        }

        // A created node's parent must exist already or be created earlier by this import.
        var known = new HashSet<string>(steps.Select(s => s.Path), StringComparer.Ordinal);
        var parents = steps.Where(s => s.Action == ImportAction.Create).Select(s => Parent(s.Path)).Where(p => p is not null && !known.Contains(p)).Distinct(StringComparer.Ordinal).ToList();
        var exists = await Task.WhenAll(parents.Select(p => client.ExistsAsync(p!, null, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < parents.Count; i++)
            if (exists[i] is null) problems.Add($"the parent {Visible.Text(parents[i]!)} does not exist and is not in the file");
        return new ImportPlan(targetRoot, steps) { Problems = problems };
    }

    private static async Task<(NodeData? Node, NodeAcl? Acl, string? Problem)> CurrentAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            var data = client.GetDataAsync(path, null, cancellationToken);
            var acl = client.GetAclAsync(path, cancellationToken);
            return (await data.ConfigureAwait(false), await acl.ConfigureAwait(false), null);
        }
        catch (NoNodeException)
        {
            return (null, null, null);
        }
        catch (ZooKeeperException e) when (ZnodeErrors.IsPerNode(e))
        {
            return (null, null, ZnodeErrors.Describe(e));
        }
    }

    private static bool SameAcl(IReadOnlyList<ZooKeeperAcl> a, IReadOnlyList<ZooKeeperAcl> b) =>
        a.Count == b.Count && a.OrderBy(x => x.Scheme, StringComparer.Ordinal).ThenBy(x => x.Id, StringComparer.Ordinal)
            .SequenceEqual(b.OrderBy(x => x.Scheme, StringComparer.Ordinal).ThenBy(x => x.Id, StringComparer.Ordinal));

    private static string? Parent(string path) => path == "/" ? null : path.LastIndexOf('/') is var i and > 0 ? path[..i] : "/";

    private static string? Relative(string root, string path) =>
        path == root ? "" : root == "/" ? path : path.StartsWith(root + "/", StringComparison.Ordinal) ? path[root.Length..] : null;

    private static string Join(string root, string relative) => relative.Length == 0 ? root : root == "/" ? relative : root + relative;
}
