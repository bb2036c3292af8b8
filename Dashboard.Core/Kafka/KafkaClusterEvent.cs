namespace Dashboard.Core.Kafka;

public enum KafkaEventKind
{
    BrokerRegistered,
    BrokerGone,

    /// <summary>Same id, new registration czxid (broker epoch): it restarted between two reads.</summary>
    BrokerRestarted,
    ControllerChanged,
    LeaderChanged,
    IsrShrunk,
    IsrExpanded,
    PartitionOffline,
    PartitionOnline,
}

/// <summary>A change seen between two snapshots.</summary>
public sealed record KafkaClusterEvent(KafkaEventKind Kind, string Message, int? BrokerId = null, TopicPartition? Partition = null);

/// <summary>Derives events from two snapshots of the same cluster.</summary>
public static class KafkaSnapshotDiff
{
    public static IReadOnlyList<KafkaClusterEvent> Compare(KafkaClusterSnapshot before, KafkaClusterSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var events = new List<KafkaClusterEvent>();
        foreach (var (id, broker) in after.Brokers.OrderBy(b => b.Key))
        {
            if (!before.Brokers.TryGetValue(id, out var old))
                events.Add(new(KafkaEventKind.BrokerRegistered, $"broker {id} registered (epoch {new Ensemble.Zxid(broker.Epoch)})", id));
            else if (old.Epoch != broker.Epoch)
                events.Add(new(KafkaEventKind.BrokerRestarted, $"broker {id} restarted (epoch {new Ensemble.Zxid(old.Epoch)} -> {new Ensemble.Zxid(broker.Epoch)})", id));
        }
        foreach (var id in before.Brokers.Keys.Where(id => !after.Brokers.ContainsKey(id)).Order())
            events.Add(new(KafkaEventKind.BrokerGone, $"broker {id} gone", id));

        if (before.Controller?.Czxid != after.Controller?.Czxid)
        {
            var message = after.Controller is { } c ? $"controller is broker {c.BrokerId} (epoch {c.Epoch})" : "no controller";
            events.Add(new(KafkaEventKind.ControllerChanged, message, after.Controller?.BrokerId));
        }

        foreach (var (name, topic) in after.Topics)
        {
            if (!before.Topics.TryGetValue(name, out var oldTopic)) continue;
            // A state-only refresh keeps every untouched topic's record: nothing to compare there. Brokers may have
            // changed, though (a leader no longer registered), so this shortcut holds only when they did not.
            if (ReferenceEquals(oldTopic, topic) && ReferenceEquals(before.Brokers, after.Brokers)) continue;
            var oldStates = oldTopic.Partitions.ToDictionary(p => p.Id.Partition, p => p.State);
            foreach (var partition in topic.Partitions)
                if (partition.State is { } now && oldStates.GetValueOrDefault(partition.Id.Partition) is { } was)
                    ComparePartition(partition.Id, was, before.IsLeaderLive(was.Leader), now, after.IsLeaderLive(now.Leader), events);
        }
        return events;
    }

    /// <summary>
    /// Offline as Kafka counts it: no leader, or a leader that is no longer a registered broker (when every broker is
    /// gone nobody rewrites the states, yet every partition is offline).
    /// </summary>
    private static void ComparePartition(TopicPartition id, PartitionState was, bool wasLive, PartitionState now, bool nowLive, List<KafkaClusterEvent> events)
    {
        if (wasLive && !nowLive)
            events.Add(new(KafkaEventKind.PartitionOffline, now.IsOffline
                ? $"{id} offline (leader {was.Leader} lost)"
                : $"{id} offline (leader {now.Leader} is not a registered broker)", was.Leader, id));
        else if (!wasLive && nowLive)
            events.Add(new(KafkaEventKind.PartitionOnline, $"{id} online, leader {now.Leader}", now.Leader, id));
        else if (was.Leader != now.Leader)
            events.Add(new(KafkaEventKind.LeaderChanged, $"{id} leader {was.Leader} -> {now.Leader}", now.Leader, id));

        var left = was.Isr.Except(now.Isr).ToList();
        var joined = now.Isr.Except(was.Isr).ToList();
        if (left.Count > 0)
            events.Add(new(KafkaEventKind.IsrShrunk, $"{id} ISR shrunk: {string.Join(',', was.Isr)} -> {string.Join(',', now.Isr)}", left[0], id));
        if (joined.Count > 0)
            events.Add(new(KafkaEventKind.IsrExpanded, $"{id} ISR expanded: {string.Join(',', was.Isr)} -> {string.Join(',', now.Isr)}", joined[0], id));
    }
}
