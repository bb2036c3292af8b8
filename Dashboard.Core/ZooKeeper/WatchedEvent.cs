namespace Dashboard.Core.ZooKeeper;

/// <summary>What changed at a watched znode. A watch fires once; set it again to hear about the next change.</summary>
public enum WatchEventType
{
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,
}

/// <summary>A watch firing: the change and the caller's path (chroot removed).</summary>
public sealed record WatchedEvent(WatchEventType Type, string Path);
