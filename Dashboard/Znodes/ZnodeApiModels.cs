using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Znodes;

/// <summary>The JSON answer of <c>GET /api/clusters/{id}/znodes</c>.</summary>
internal sealed record ZnodeApiNode(string Cluster, string Path, ZnodeApiStat Stat, string Data, string? Text, string Detected, IReadOnlyList<ZnodeApiAcl> Acl, ZnodeApiChildren Children)
{
    public static ZnodeApiNode From(string cluster, ZnodeSnapshot node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new(cluster, node.Path, ZnodeApiStat.From(node.Stat), Convert.ToBase64String(node.Data), ZnodeContent.TryDecodeUtf8(node.Data),
            ZnodeContent.Inspect(node.Data).Detected.ToString().ToLowerInvariant(),
            node.Acl.Select(a => new ZnodeApiAcl(a.Scheme, a.Id, ZnodeAcls.Letters(a.Permissions), (int)a.Permissions)).ToList(),
            new ZnodeApiChildren(node.Children.Total, node.Children.Matching, node.Children.Query.Offset, node.Children.Query.Limit, node.Children.Note,
                node.Children.Items.Select(c => new ZnodeApiChild(c.Name, c.Path, c.Stat is null ? null : ZnodeApiStat.From(c.Stat))).ToList()));
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
