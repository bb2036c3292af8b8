using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;

namespace Dashboard.Core.Maintenance;

/// <summary>Reads the ensemble afresh: runs poll on their own, faster than the monitor, and act on nothing older.</summary>
public interface IEnsembleReader
{
    Task<EnsembleSnapshot> ReadAsync(CancellationToken cancellationToken);
}

public sealed class PollingEnsembleReader(ClusterDefinition cluster, EnsemblePoller poller) : IEnsembleReader
{
    public Task<EnsembleSnapshot> ReadAsync(CancellationToken cancellationToken) => poller.PollAsync(cluster, cancellationToken);
}

/// <summary>A cluster as maintenance sees it: its definition, a fresh view of its ensemble, and each node's control.</summary>
public sealed record MaintenanceTarget(ClusterDefinition Cluster, IEnsembleReader Reader, MaintenancePlanner.ControlLookup Controls)
{
    /// <summary>The Kafka cluster on this ensemble, when there is one: its checks and each broker's control.</summary>
    public BrokerRollTarget? Kafka { get; init; }
}

/// <summary>What a broker roll acts through: fresh Kafka checks and a control per broker (from <c>Maintenance:BrokerControl</c>).</summary>
public sealed record BrokerRollTarget(IBrokerRollChecks Checks, MaintenancePlanner.ControlLookup Controls);

public interface IMaintenanceTargets
{
    MaintenanceTarget? Find(string clusterId);
}
