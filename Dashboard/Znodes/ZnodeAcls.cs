using Dashboard.Core.ZooKeeper;

namespace Dashboard.Znodes;

/// <summary>ACLs as zkCli writes them: one <c>scheme:id:perms</c> per line, perms as letters <c>cdrwa</c>.</summary>
internal static class ZnodeAcls
{
    public static string Letters(Permissions p) =>
        string.Concat((p & Permissions.Create) != 0 ? "c" : "", (p & Permissions.Delete) != 0 ? "d" : "", (p & Permissions.Read) != 0 ? "r" : "",
            (p & Permissions.Write) != 0 ? "w" : "", (p & Permissions.Admin) != 0 ? "a" : "");

    public static string Format(IEnumerable<ZooKeeperAcl> acl) => string.Join('\n', acl.Select(a => $"{a.Scheme}:{a.Id}:{Letters(a.Permissions)}"));

    /// <summary>Parses the text form; the id may hold ':' (digest ids do), so the scheme is the first field and the perms the last.</summary>
    public static IReadOnlyList<ZooKeeperAcl> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<ZooKeeperAcl>();
        foreach (var raw in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var first = raw.IndexOf(':', StringComparison.Ordinal);
            var last = raw.LastIndexOf(':');
            if (first <= 0 || last == first) throw new ArgumentException($"\"{raw}\" is not scheme:id:perms (e.g. world:anyone:cdrwa).");
            var perms = Permissions.None;
            foreach (var c in raw[(last + 1)..])
            {
                perms |= c switch
                {
                    'c' => Permissions.Create, 'd' => Permissions.Delete, 'r' => Permissions.Read, 'w' => Permissions.Write, 'a' => Permissions.Admin,
                    _ => throw new ArgumentException($"\"{c}\" in \"{raw}\" is not a permission letter (c, d, r, w, a)."),
                };
            }
            list.Add(new ZooKeeperAcl(perms, raw[..first], raw[(first + 1)..last]));
        }
        if (list.Count == 0) throw new ArgumentException("A node needs at least one ACL entry.");
        return list;
    }
}
