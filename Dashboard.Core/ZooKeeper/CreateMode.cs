namespace Dashboard.Core.ZooKeeper;

/// <summary>How a znode lives; the values are the wire flags.</summary>
public enum CreateMode
{
    Persistent = 0,
    Ephemeral = 1,
    PersistentSequential = 2,
    EphemeralSequential = 3,
    /// <summary>Deleted by the server once its last child is gone.</summary>
    Container = 4,
}
