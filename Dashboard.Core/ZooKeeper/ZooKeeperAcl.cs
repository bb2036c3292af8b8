namespace Dashboard.Core.ZooKeeper;

[Flags]
#pragma warning disable CA1711 // "Permissions" is ZooKeeper's own word for these bits.
public enum Permissions
#pragma warning restore CA1711
{
    None = 0,
    Read = 1,
    Write = 2,
    Create = 4,
    Delete = 8,
    Admin = 16,
    All = Read | Write | Create | Delete | Admin,
}

/// <summary>One ACL entry: who (<paramref name="Scheme"/>:<paramref name="Id"/>) may do what.</summary>
public sealed record ZooKeeperAcl(Permissions Permissions, string Scheme, string Id)
{
    /// <summary>Anyone may do anything (<c>world:anyone</c>, all permissions).</summary>
    public static IReadOnlyList<ZooKeeperAcl> OpenUnsafe { get; } = [new(Permissions.All, "world", "anyone")];

    /// <summary>Anyone may read.</summary>
    public static IReadOnlyList<ZooKeeperAcl> ReadUnsafe { get; } = [new(Permissions.Read, "world", "anyone")];

    /// <summary>Everything for the identities this session authenticated with (<c>auth</c> scheme).</summary>
    public static IReadOnlyList<ZooKeeperAcl> CreatorAll { get; } = [new(Permissions.All, "auth", "")];

    public override string ToString() => $"{Scheme}:{Id}:{Permissions}";
}
