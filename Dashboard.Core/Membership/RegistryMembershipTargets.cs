using Dashboard.Core.Clusters;

namespace Dashboard.Core.Membership;

/// <summary>Clusters from the registry; following a change replaces the cluster's definition there, so the monitor, pages and maintenance see the new members.</summary>
public sealed class RegistryMembershipTargets(ClusterRegistry registry) : IMembershipTargets
{
    public ClusterDefinition? Find(string clusterId) => registry.Find(clusterId)?.Definition;

    public void Follow(ClusterDefinition followed)
    {
        ArgumentNullException.ThrowIfNull(followed);
        var entry = registry.Find(followed.Id);
        registry.Upsert(entry is null ? new ClusterEntry(followed, ClusterAvailability.Configured) : entry with { Definition = followed });
    }
}
