using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Dashboard.Core.Kafka;

namespace Dashboard.Core.History;

/// <summary>
/// Turns Kafka updates into history: events per change (broker, ISR, offline, partition leader), one event per new
/// controller term (from the controller watch, so a short term between two reads is not lost), and a stored
/// summary when brokers, the controller or the problem partitions change, or a heartbeat is due. Only enqueues.
/// </summary>
public sealed class KafkaHistoryRecorder(HistoryWriter writer, HistoryOptions options, Replicas.ClusterLeases? leases = null)
{
    /// <summary>Per kind and update: a broker loss at 100,000 partitions would otherwise write 30,000 rows at once.</summary>
    public const int MaxPartitionEventsPerKind = 500;

    private readonly SnapshotThrottle _throttle = new(options.SnapshotHeartbeat);
    private readonly ConcurrentDictionary<string, long> _lastControllerCzxid = new(StringComparer.Ordinal);

    public static readonly IReadOnlyList<string> Kinds =
    [
        "controller-changed", "controller-gone", "broker-registered", "broker-gone", "broker-restarted", "isr-shrunk", "isr-expanded",
        "partition-offline", "partition-online", "partition-leader-changed",
    ];

    /// <summary>
    /// Kafka's partition leader change is <c>partition-leader-changed</c>: <c>leader-changed</c> already names a
    /// ZooKeeper leader election in the same events table.
    /// </summary>
    public static string KindName(KafkaEventKind kind) => kind switch
    {
        KafkaEventKind.BrokerRegistered => "broker-registered",
        KafkaEventKind.BrokerGone => "broker-gone",
        KafkaEventKind.BrokerRestarted => "broker-restarted",
        KafkaEventKind.ControllerChanged => "controller-changed",
        KafkaEventKind.LeaderChanged => "partition-leader-changed",
        KafkaEventKind.IsrShrunk => "isr-shrunk",
        KafkaEventKind.IsrExpanded => "isr-expanded",
        KafkaEventKind.PartitionOffline => "partition-offline",
        KafkaEventKind.PartitionOnline => "partition-online",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Controller changes are recorded from the terms instead (<see cref="RecordControllerTerm"/>).</summary>
    public void Record(string clusterId, KafkaClusterUpdate update, KafkaClusterAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(update);
        var at = update.Snapshot.ReadAt;
        foreach (var group in update.Events.Where(e => e.Kind != KafkaEventKind.ControllerChanged).GroupBy(e => e.Kind))
        {
            var kind = KindName(group.Key);
            var all = group.ToList();
            foreach (var e in all.Take(MaxPartitionEventsPerKind))
                Enqueue(clusterId, new EventWrite(new HistoryEvent(clusterId, at, kind, Subject(e), e.Message,
                    e.Partition is { } p ? JsonSerializer.Serialize(new { topic = p.Topic, partition = p.Partition, broker = e.BrokerId }) : null)));
            if (all.Count > MaxPartitionEventsPerKind)
                Enqueue(clusterId, new EventWrite(new HistoryEvent(clusterId, at, kind, null,
                    $"{all.Count - MaxPartitionEventsPerKind} more {kind} events in the same change (not stored one by one)",
                    JsonSerializer.Serialize(new { leftOut = all.Count - MaxPartitionEventsPerKind }))));
        }

        var summary = KafkaSummary.From(update.Snapshot, analysis);
        if (_throttle.ShouldStore(clusterId, summary.Fingerprint(), at) is { } reason)
            Enqueue(clusterId, new KafkaSnapshotWrite(clusterId, reason, summary));
    }

    /// <summary>
    /// Stores each controller term once, with its epoch and the time without a controller before it. A new watcher
    /// (after a session expiry) reports the current term again: the czxid tells it is the same term.
    /// </summary>
    public void RecordControllerTerm(string clusterId, ControllerChange term, int? previousBrokerId)
    {
        ArgumentNullException.ThrowIfNull(term);
        if (_lastControllerCzxid.TryGetValue(clusterId, out var last) && last == term.Czxid) return;
        _lastControllerCzxid[clusterId] = term.Czxid;
        var gap = term.GapBefore is { } g ? $", {g.TotalSeconds:0.###} s without controller" : "";
        var epoch = term.Epoch is { } e ? $" (epoch {e})" : "";
        Enqueue(clusterId, new EventWrite(new HistoryEvent(clusterId, term.Started, "controller-changed",
            term.BrokerId.ToString(CultureInfo.InvariantCulture), $"controller is broker {term.BrokerId}{epoch}{gap}",
            JsonSerializer.Serialize(new
            {
                brokerId = term.BrokerId, epoch = term.Epoch, czxid = term.Czxid, gapMs = term.GapBefore?.TotalMilliseconds,
                missedElections = term.MissedElectionsBefore, previousBrokerId,
            }))));
    }

    /// <summary>The current term ended with no controller after it (its <c>/controller</c> was deleted): stored at once, so "no controller" is in the history even if nobody follows.</summary>
    public void RecordControllerGone(string clusterId, ControllerChange term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var at = term.Ended ?? DateTimeOffset.UtcNow;
        var epoch = term.Epoch is { } e ? $" (epoch {e})" : "";
        // Its own kind: "controller-changed" rows are terms (the history page lists them as such).
        Enqueue(clusterId, new EventWrite(new HistoryEvent(clusterId, at, "controller-gone", term.BrokerId.ToString(CultureInfo.InvariantCulture),
            $"no controller: broker {term.BrokerId}'s term{epoch} ended",
            JsonSerializer.Serialize(new { brokerId = (int?)null, previousBrokerId = term.BrokerId, previousEpoch = term.Epoch, previousCzxid = term.Czxid }))));
    }

    /// <summary>So a restarted dashboard does not store the term it already stored.</summary>
    public void KnowControllerTerm(string clusterId, long czxid) => _lastControllerCzxid.TryAdd(clusterId, czxid);

    private static string? Subject(KafkaClusterEvent e) =>
        e.Partition is { } p ? p.ToString() : e.BrokerId?.ToString(CultureInfo.InvariantCulture);

    // Among replicas only the cluster's lease holder writes its history (see ClusterLeases).
    private void Enqueue(string clusterId, HistoryWrite write)
    {
        if ((leases is null ? write : leases.Fence(clusterId, write)) is { } allowed) writer.Enqueue(allowed);
    }
}
