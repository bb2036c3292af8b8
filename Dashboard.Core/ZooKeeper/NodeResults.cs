namespace Dashboard.Core.ZooKeeper;

/// <summary>
/// A znode's data with its metadata at the time of the read. <see cref="IsNull"/> tells a null value (a node created
/// without data, as zkCli and the Java client do) from an empty one; <see cref="Data"/> is empty for both.
/// </summary>
#pragma warning disable CA1819 // The bytes are the znode's content as read; copying them on every access would defeat the point.
public sealed record NodeData(byte[] Data, NodeStat Stat, bool IsNull = false);
#pragma warning restore CA1819

/// <summary>A znode's children (names, not paths) with the parent's metadata.</summary>
public sealed record NodeChildren(IReadOnlyList<string> Names, NodeStat Stat);

/// <summary>A created znode: its actual path (sequential nodes get a suffix) and metadata.</summary>
public sealed record CreatedNode(string Path, NodeStat Stat);

/// <summary>A znode's ACL with its metadata (the ACL version is <c>Stat.AclVersion</c>).</summary>
public sealed record NodeAcl(IReadOnlyList<ZooKeeperAcl> Acl, NodeStat Stat);
