namespace Dashboard.Core.Replicas;

/// <summary>
/// Whether this replica polls a cluster itself: one dashboard always does; among replicas, the holder of the
/// cluster's lease does and the others show what it publishes. A replica cut off from the database (no lease round
/// succeeded for a lease period) polls every cluster again: nobody's snapshots can reach it then, and monitoring
/// must never stop because the database did.
/// </summary>
public sealed class PollingDuty(ClusterLeases leases, TimeSpan leaseDuration, TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public bool IsShared => leases.IsShared;

    public bool Polls(string clusterId) => !leases.IsShared || leases.Holds(clusterId) || CutOff;

    /// <summary>True while lease renewals have failed (or never succeeded) for longer than a lease.</summary>
    public bool CutOff => leases.IsShared && time.GetUtcNow() - (leases.LastRenewed ?? _started) > leaseDuration;
}
