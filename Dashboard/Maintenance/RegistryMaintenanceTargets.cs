using System.Collections.Concurrent;
using Dashboard.Core.AdminServer;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Maintenance.Kafka;

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

    private MaintenanceTarget Create(ClusterDefinition cluster)
    {
        // A replaced target's Kafka session is dropped with it.
        if (_targets.TryGetValue(cluster.Id, out var old) && old.Kafka?.Checks is ConnectingBrokerRollChecks previous) _ = previous.DisposeAsync().AsTask();
        return new(cluster, new PollingEnsembleReader(cluster, new EnsemblePoller(new NodeProbe(admin))),
            (NodeDefinition node, out string? problem) => controls.For(cluster, node, out problem))
        {
            // Broker rolls only where Kafka may be: the chroot is detected on first use when not configured.
            Kafka = cluster.WatchKafka
                ? new BrokerRollTarget(new ConnectingBrokerRollChecks(cluster.ConnectString, cluster.KafkaChroot, cluster.ClientOptions()),
                    (NodeDefinition broker, out string? problem) => controls.ForBroker(cluster, broker, out problem))
                : null,
        };
    }
}
