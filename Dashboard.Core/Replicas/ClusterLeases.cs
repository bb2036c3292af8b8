using System.Collections.Concurrent;
using System.Diagnostics;
using Dashboard.Core.History;

namespace Dashboard.Core.Replicas;

/// <summary>
/// Decides, per cluster, whether this process writes its history. With one dashboard (SQLite) it always does. With
/// replicas sharing PostgreSQL it does while it holds the cluster's lease, and its writes carry the lease's epoch.
/// Held leases are trusted locally only until their expiry counted from when the renewal was sent (a monotonic
/// clock), so a replica cut off from the database stops writing before another can take over.
/// </summary>
public sealed class ClusterLeases
{
    private readonly ConcurrentDictionary<string, (long Epoch, long ValidUntil)> _held = new(StringComparer.Ordinal);

    public ClusterLeases(string holder, bool shared)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        Holder = holder;
        IsShared = shared;
    }

    /// <summary>This replica's name in the lease rows.</summary>
    public string Holder { get; }

    /// <summary>False for one dashboard on its own database: every cluster is its own.</summary>
    public bool IsShared { get; }

    /// <summary>When the last renewal round succeeded (null: never); for /readyz.</summary>
    public DateTimeOffset? LastRenewed { get; private set; }

    public bool Holds(string clusterId) => !IsShared || (_held.TryGetValue(clusterId, out var lease) && Stopwatch.GetTimestamp() < lease.ValidUntil);

    /// <summary>The epoch of a lease this replica holds now; null when it does not (or one dashboard: no leases).</summary>
    public long? EpochOf(string clusterId) =>
        IsShared && _held.TryGetValue(clusterId, out var lease) && Stopwatch.GetTimestamp() < lease.ValidUntil ? lease.Epoch : null;

    public IReadOnlyCollection<string> HeldClusters => [.. _held.Where(h => Stopwatch.GetTimestamp() < h.Value.ValidUntil).Select(h => h.Key)];

    /// <summary>The write as this replica may make it: itself (one dashboard), fenced by the epoch (a lease held), or null (not ours: drop it).</summary>
    public HistoryWrite? Fence(string clusterId, HistoryWrite write)
    {
        if (!IsShared) return write;
        return _held.TryGetValue(clusterId, out var lease) && Stopwatch.GetTimestamp() < lease.ValidUntil
            ? new FencedWrite(clusterId, Holder, lease.Epoch, write)
            : null;
    }

    /// <summary>Records a renewal round sent at <paramref name="sentAt"/> (a <see cref="Stopwatch"/> timestamp) that returned <paramref name="held"/>.</summary>
    public void Renewed(IReadOnlyDictionary<string, long> held, long sentAt, TimeSpan duration, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(held);
        var validUntil = sentAt + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        foreach (var lost in _held.Keys.Where(k => !held.ContainsKey(k)).ToList()) _held.TryRemove(lost, out _);
        foreach (var (cluster, epoch) in held) _held[cluster] = (epoch, validUntil);
        LastRenewed = now;
    }

    /// <summary>After a release at stop: nothing is held.</summary>
    public void Released() => _held.Clear();
}
