using System.Collections.Immutable;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Sandbox;

/// <summary>A running sandbox as a cluster to watch: every node with its id, observer flag and AdminServer URL.</summary>
public static class SandboxCluster
{
    public static ClusterDefinition Define(ZooKeeperSandbox sandbox, string id = "sandbox", string name = "Sandbox", TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return new ClusterDefinition(id, name, sandbox.ConnectString, ClusterOrigin.Sandbox)
        {
            Nodes = sandbox.Nodes.Select(n => new NodeDefinition(n.Host, n.ClientPort)
            {
                Id = n.Id, IsObserver = n.IsObserver, AdminUri = n.AdminUri, Datacenter = "loopback",
            }).ToImmutableArray(),
            PollInterval = pollInterval ?? ClusterDefinition.DefaultPollInterval,
        };
    }
}
