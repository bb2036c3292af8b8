using Dashboard.Core.Maintenance;

namespace Dashboard.Core.Clusters;

/// <summary>
/// One ZooKeeper server the dashboard polls. <see cref="Id"/> and <see cref="IsObserver"/> are null when the source
/// (e.g. a bare connect string) does not say; the node's own <c>conf</c> fills them in at poll time.
/// </summary>
public sealed record NodeDefinition(string Host, int ClientPort)
{
    public int? Id { get; init; }
    public bool? IsObserver { get; init; }

    /// <summary>Base of the AdminServer commands, e.g. <c>http://zk1:8080/commands</c>; null when unknown or turned off.</summary>
    public Uri? AdminUri { get; init; }

    public string? Datacenter { get; init; }

    /// <summary>How this node is restarted when it differs from the cluster's; null: the cluster's.</summary>
    public NodeControlSettings? Control { get; init; }

    /// <summary>host:port, with IPv6 hosts in brackets.</summary>
    public string Address => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{ClientPort}" : $"{Host}:{ClientPort}";

    public override string ToString() => Id is { } id ? $"node {id} ({Address})" : Address;
}
