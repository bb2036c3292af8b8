using Dashboard.Core.Kafka;

namespace Dashboard.Core.History;

/// <summary>
/// What is stored of a Kafka cluster at one time: brokers, the controller, totals and the problem partitions only
/// (a healthy partition is implied by the totals), so "as of" can show what was wrong without 100,000 rows a time.
/// </summary>
public sealed record KafkaSummary(
    DateTimeOffset At,
    string Chroot,
    int? ControllerId,
    int? ControllerEpoch,
    IReadOnlyList<KafkaSummaryBroker> Brokers,
    int Topics,
    int Partitions,
    int UnderReplicated,
    int Offline,
    int UnderMinIsr,
    IReadOnlyList<KafkaSummaryPartition> ProblemPartitions,
    int ProblemPartitionsLeftOut)
{
    /// <summary>Beyond this many problem partitions only the count is kept (a dead broker can hurt 30,000 at once).</summary>
    public const int MaxProblemPartitions = 2_000;

    public static KafkaSummary From(KafkaClusterSnapshot snapshot, KafkaClusterAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(analysis);
        var problems = analysis.Partitions.Where(IsProblem).ToList();
        return new KafkaSummary(snapshot.ReadAt, snapshot.Chroot, snapshot.Controller?.BrokerId, snapshot.ControllerEpoch,
            analysis.Brokers.Select(b => new KafkaSummaryBroker(b.Id, b.Status == BrokerStatus.Alive, b.Broker?.Epoch, b.Broker?.Registration?.Rack)).ToList(),
            analysis.Topics.Count, analysis.Partitions.Count, analysis.UnderReplicatedCount, analysis.OfflineCount, analysis.UnderMinIsrCount,
            problems.Take(MaxProblemPartitions).Select(p => new KafkaSummaryPartition(p.Partition.Id.Topic, p.Partition.Id.Partition,
                p.Partition.State?.Leader, p.Partition.Replicas, p.Partition.State?.Isr ?? [], p.UnderReplicated, p.Offline, p.UnderMinIsr,
                p.Partition.Unreadable is not null)).ToList(),
            Math.Max(0, problems.Count - MaxProblemPartitions));
    }

    public static bool IsProblem(PartitionHealth p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return p.UnderReplicated || p.Offline || p.UnderMinIsr || p.Partition.Unreadable is not null;
    }

    /// <summary>What changes the stored picture: brokers alive, the controller, and which partitions are in trouble how.</summary>
    public string Fingerprint()
    {
        var hash = new HashCode();
        hash.Add(ControllerId);
        hash.Add(ControllerEpoch);
        foreach (var b in Brokers) { hash.Add(b.Id); hash.Add(b.Alive); hash.Add(b.Epoch); }
        foreach (var p in ProblemPartitions) { hash.Add(p.Topic); hash.Add(p.Partition); hash.Add(p.Leader); hash.Add(p.Isr.Count); hash.Add(p.Offline); }
        hash.Add(ProblemPartitionsLeftOut);
        return $"{Partitions}/{UnderReplicated}/{Offline}/{UnderMinIsr}/{hash.ToHashCode()}";
    }
}

public sealed record KafkaSummaryBroker(int Id, bool Alive, long? Epoch, string? Rack);

public sealed record KafkaSummaryPartition(
    string Topic, int Partition, int? Leader, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr,
    bool UnderReplicated, bool Offline, bool UnderMinIsr, bool Unreadable);
