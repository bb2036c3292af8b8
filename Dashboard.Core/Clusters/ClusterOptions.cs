namespace Dashboard.Core.Clusters;

/// <summary>One configured cluster, as written under <c>Dashboard:Clusters</c> in settings.</summary>
public sealed class ClusterOptions
{
    /// <summary>Stable id used in URLs; derived from the name when absent.</summary>
    public string? Id { get; set; }
    public string Name { get; set; } = "";

    /// <summary>ZooKeeper connect string, e.g. <c>zk1:2181,zk2:2181,zk3:2181/chroot</c>.</summary>
    public string ConnectString { get; set; } = "";
}
