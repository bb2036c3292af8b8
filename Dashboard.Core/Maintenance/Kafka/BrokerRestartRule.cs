using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Kafka;

namespace Dashboard.Core.Maintenance.Kafka;

/// <summary>
/// What the rule needs of one partition: its replicas, its ISR (null when the state is missing), its min ISR and the
/// replicas a reassignment is still adding (the replica list is then target + origin).
/// </summary>
public sealed record PartitionReplicas(TopicPartition Id, IReadOnlyList<int> Replicas, IReadOnlyList<int>? Isr, int MinInsyncReplicas)
{
    public IReadOnlyList<int> Adding { get; init; } = [];

    /// <summary>Kafka's replication factor: replicas minus those still being added.</summary>
    public int ReplicationFactor => Replicas.Count - Adding.Count;

    /// <summary>Kafka's rule (TopicCommand): RF - |ISR| &gt; 0; a missing state counts as under-replicated (nothing known in sync).</summary>
    public bool UnderReplicated => Isr is null || ReplicationFactor - Isr.Count > 0;

    public static IEnumerable<PartitionReplicas> From(KafkaClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (var topic in snapshot.Topics.Values)
        {
            var minIsr = snapshot.MinInsyncReplicas(topic);
            foreach (var p in topic.Partitions)
            {
                var adding = topic.Assignment?.AddingReplicas.GetValueOrDefault(p.Id.Partition) is { Count: > 0 } a ? a.Where(p.Replicas.Contains).ToList() : [];
                yield return new(p.Id, p.Replicas, p.State?.Isr, minIsr) { Adding = adding };
            }
        }
    }
}

/// <summary>
/// Strimzi's rule for restarting one broker without making any partition unavailable to acks=all producers:
/// for each partition with a replica on the broker, refused if |ISR| &lt; minISR, or |ISR| == minISR with the broker
/// in the ISR and |replicas| &gt; minISR. Partitions with |replicas| &lt;= minISR are ignored: they can never satisfy
/// the rule (RF=1, or RF=minISR), so a roll must accept their brief unavailability or never run at all.
/// </summary>
public static class BrokerRestartRule
{
    public const string Rule = "broker-restart-safe";
    public const string UnderReplicated = "no-under-replicated";

    /// <summary>One failed check per blocking partition; a single passing check when none blocks.</summary>
    public static ImmutableArray<MaintenanceCheck> Judge(int brokerId, IEnumerable<PartitionReplicas> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var broker = $"broker {brokerId.ToString(CultureInfo.InvariantCulture)}";
        var refusals = ImmutableArray.CreateBuilder<MaintenanceCheck>();
        int judged = 0, ignored = 0;
        foreach (var p in partitions.Where(p => p.Replicas.Contains(brokerId)))
        {
            if (p.Replicas.Count <= p.MinInsyncReplicas) { ignored++; continue; }
            judged++;
            var isr = p.Isr ?? [];
            var found = $"{p.Id}: ISR [{string.Join(",", isr)}] of replicas [{string.Join(",", p.Replicas)}], min.insync.replicas {p.MinInsyncReplicas}";
            if (isr.Count < p.MinInsyncReplicas)
                refusals.Add(new(Rule, p.Id.ToString(), false, $"{found}: already below min ISR, restarting {broker} keeps it unavailable longer",
                    $"wait until {p.Id} has at least {p.MinInsyncReplicas} replicas in sync"));
            else if (isr.Count == p.MinInsyncReplicas && isr.Contains(brokerId))
                refusals.Add(new(Rule, p.Id.ToString(), false, $"{found}: restarting {broker}, which is in the ISR, drops it below min ISR",
                    $"wait until replicas {string.Join(",", p.Replicas.Except(isr))} of {p.Id} are back in sync"));
        }
        if (refusals.Count > 0) return refusals.ToImmutable();
        return [new(Rule, broker, true, $"{judged} partition(s) with a replica on {broker} keep min ISR while it restarts" +
            (ignored > 0 ? $"; {ignored} with replicas <= min ISR ignored" : ""))];
    }

    /// <summary>Zero under-replicated partitions in the whole cluster: a roll never starts on (or moves on from) a degraded cluster.</summary>
    public static ImmutableArray<MaintenanceCheck> NoneUnderReplicated(IEnumerable<PartitionReplicas> partitions, int shown = 10)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var under = partitions.Where(p => p.UnderReplicated).ToList();
        if (under.Count == 0) return [new(UnderReplicated, "cluster", true, "no under-replicated partitions")];
        var checks = under.Take(shown).Select(p => new MaintenanceCheck(UnderReplicated, p.Id.ToString(), false,
            $"{p.Id} is under-replicated: ISR [{string.Join(",", p.Isr ?? [])}] of replicas [{string.Join(",", p.Replicas)}]"
                + (p.Adding.Count > 0 ? $" (adding [{string.Join(",", p.Adding)}], replication factor {p.ReplicationFactor})" : ""),
            $"bring replicas {string.Join(",", p.Replicas.Except(p.Adding).Except(p.Isr ?? []))} of {p.Id} back in sync")).ToList();
        if (under.Count > shown)
            checks.Add(new(UnderReplicated, "cluster", false, $"and {under.Count - shown} more under-replicated partition(s)", "wait until every partition is fully in sync"));
        return [.. checks];
    }
}
