using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Znodes;

/// <summary>
/// The JSON answer of <c>GET /api/clusters/{id}/znodes</c>. <c>data</c> is base64, <c>null</c> for a null value
/// (<c>dataIsNull</c> says so too) and <c>""</c> for an empty one; <c>dataProblem</c> / <c>aclProblem</c> say why a
/// part could not be read (the stat is shown regardless).
/// </summary>
internal sealed record ZnodeApiNode(string Cluster, string Path, ZnodeApiStat Stat, string? Data, bool DataIsNull, string? Text, string Detected, IReadOnlyList<ZnodeApiAcl> Acl, ZnodeApiChildren Children)
{
    public string? DataProblem { get; init; }
    public string? AclProblem { get; init; }
    public string? ChildrenProblem { get; init; }

    public static ZnodeApiNode From(string cluster, ZnodeSnapshot node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var absent = node.DataIsNull || !node.DataReadable;
        return new(cluster, node.Path, ZnodeApiStat.From(node.Stat), absent ? null : Convert.ToBase64String(node.Data), node.DataIsNull, absent ? null : ZnodeContent.TryDecodeUtf8(node.Data),
            ZnodeContent.Inspect(node.Data).Detected.ToString().ToLowerInvariant(),
            node.Acl.Select(a => new ZnodeApiAcl(a.Scheme, a.Id, ZnodeAcls.Letters(a.Permissions), (int)a.Permissions)).ToList(),
            new ZnodeApiChildren(node.Children.Total, node.Children.Matching, node.Children.Query.Offset, node.Children.Query.Limit, node.Children.Note,
                node.Children.Items.Select(c => new ZnodeApiChild(c.Name, c.Path, c.Stat is null ? null : ZnodeApiStat.From(c.Stat))).ToList()))
        {
            DataProblem = node.DataProblem,
            AclProblem = node.AclProblem,
            ChildrenProblem = node.ChildrenProblem,
        };
    }
}

internal sealed record ZnodeApiStat(string Czxid, string Mzxid, string Pzxid, DateTimeOffset Ctime, DateTimeOffset Mtime, int Version, int Cversion, int Aversion,
    string EphemeralOwner, bool Ephemeral, int DataLength, int NumChildren)
{
    public static ZnodeApiStat From(NodeStat s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(new Zxid(s.CreatedZxid).Hex, new Zxid(s.ModifiedZxid).Hex, new Zxid(s.ChildrenModifiedZxid).Hex, s.Created, s.Modified,
            s.Version, s.ChildrenVersion, s.AclVersion, ZnodeFormat.Session(s.EphemeralOwner), s.IsEphemeral, s.DataLength, s.ChildrenCount);
    }
}

internal sealed record ZnodeApiAcl(string Scheme, string Id, string Perms, int PermissionBits);

internal sealed record ZnodeApiChildren(int Total, int Matching, int Offset, int Limit, string? Note, IReadOnlyList<ZnodeApiChild> Items);

internal sealed record ZnodeApiChild(string Name, string Path, ZnodeApiStat? Stat);
