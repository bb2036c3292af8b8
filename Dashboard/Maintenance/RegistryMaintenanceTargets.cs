using System.Collections.Concurrent;
using Dashboard.Core.AdminServer;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Maintenance;

namespace Dashboard.Maintenance;

/// <summary>
/// Clusters from the registry as maintenance targets. Each keeps its own poller (it remembers node identities
/// between polls), replaced when the cluster's definition changes.
/// </summary>
internal sealed class RegistryMaintenanceTargets(ClusterRegistry registry, NodeControlFactory controls, AdminServerClient admin) : IMaintenanceTargets
{
    private readonly ConcurrentDictionary<string, MaintenanceTarget> _targets = new(StringComparer.Ordinal);

    public MaintenanceTarget? Find(string clusterId)
    {
        if (registry.Find(clusterId) is not { Availability: ClusterAvailability.Configured or ClusterAvailability.Ready } entry || entry.Definition.Nodes.IsDefaultOrEmpty)
            return null;
        var cluster = entry.Definition;
        return _targets.AddOrUpdate(clusterId, _ => Create(cluster), (_, existing) => existing.Cluster == cluster ? existing : Create(cluster));
    }

    private MaintenanceTarget Create(ClusterDefinition cluster) =>
        new(cluster, new PollingEnsembleReader(cluster, new EnsemblePoller(new NodeProbe(admin))),
            (NodeDefinition node, out string? problem) => controls.For(cluster, node, out problem));
}
