namespace Dashboard.Core.ZooKeeper;

/// <summary>A znode's metadata (ZooKeeper's <c>Stat</c>): zxids, times, versions and sizes.</summary>
public sealed record NodeStat(
    long CreatedZxid,
    long ModifiedZxid,
    DateTimeOffset Created,
    DateTimeOffset Modified,
    int Version,
    int ChildrenVersion,
    int AclVersion,
    long EphemeralOwner,
    int DataLength,
    int ChildrenCount,
    long ChildrenModifiedZxid)
{
    public bool IsEphemeral => EphemeralOwner != 0;
}
