using System.Collections.Concurrent;

namespace Dashboard.Core.Replicas;

/// <summary>
/// Whether this replica polls a cluster itself: one dashboard always does; among replicas, the holder of the
/// cluster's lease does and the others show what it publishes. A replica cut off from the database (no lease round
/// succeeded for a lease period) polls every cluster again: nobody's snapshots can reach it then, and monitoring
/// must never stop because the database did. And a replica whose holder went silent (its lease renewed, but no new
/// snapshot of the cluster published for <see cref="SilentAfter"/>: a stuck poller, or a replica of an older
/// version during a rolling upgrade) polls that cluster itself until the holder's snapshots come again.
/// </summary>
public sealed class PollingDuty(ClusterLeases leases, TimeSpan leaseDuration, TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    // Per cluster, when this replica last held it or last saw a new snapshot of it from its holder (this replica's clock).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _fresh = new(StringComparer.Ordinal);

    public bool IsShared => leases.IsShared;

    /// <summary>Polls because it must: one dashboard, the holder, or cut off from the database. Its own polls are then the newest news.</summary>
    public bool Polls(string clusterId) => !leases.IsShared || leases.Holds(clusterId) || CutOff;

    /// <summary>What the poll loop asks: <see cref="Polls(string)"/>, or the cluster's holder has gone silent.</summary>
    public PollReason Why(string clusterId, TimeSpan pollInterval)
    {
        if (!leases.IsShared) return PollReason.Alone;
        var now = time.GetUtcNow();
        if (leases.Holds(clusterId))
        {
            _fresh[clusterId] = now;
            return PollReason.Holder;
        }
        if (CutOff) return PollReason.CutOff;
        var since = _fresh.TryGetValue(clusterId, out var fresh) && fresh > _started ? fresh : _started;
        return now - since > SilentAfter(pollInterval) ? PollReason.HolderSilent : PollReason.None;
    }

    /// <summary>A snapshot of the cluster newer than any before it came from its holder.</summary>
    public void HolderPublished(string clusterId) => _fresh[clusterId] = time.GetUtcNow();

    /// <summary>Three polls missed and then some (a publish and a read interval, a slow poll): the holder is not publishing.</summary>
    public static TimeSpan SilentAfter(TimeSpan pollInterval) => pollInterval * 3 + TimeSpan.FromSeconds(2);

    /// <summary>True while lease renewals have failed (or never succeeded) for longer than a lease.</summary>
    public bool CutOff => leases.IsShared && time.GetUtcNow() - (leases.LastRenewed ?? _started) > leaseDuration;
}

/// <summary>Why this replica polls a cluster now (<see cref="None"/>: it shows the holder's snapshots).</summary>
public enum PollReason { None, Alone, Holder, CutOff, HolderSilent }
