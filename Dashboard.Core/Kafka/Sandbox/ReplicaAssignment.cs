namespace Dashboard.Core.Kafka.Sandbox;

/// <summary>
/// Kafka's rack-unaware replica assignment (<c>AdminUtils.assignReplicasToBrokersRackUnaware</c>): leaders round-robin
/// from a random start, followers shifted so that replicas of consecutive partitions spread over the brokers.
/// </summary>
public static class ReplicaAssignment
{
    public static IReadOnlyDictionary<int, IReadOnlyList<int>> Assign(IReadOnlyCollection<int> brokers, int partitions, int replicationFactor, Random random)
    {
        ArgumentNullException.ThrowIfNull(brokers);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        if (replicationFactor > brokers.Count)
            throw new ArgumentException($"replication factor {replicationFactor} is larger than the {brokers.Count} available brokers");
        var ids = brokers.Order().ToArray();
        var n = ids.Length;
        var startIndex = random.Next(n);
        var shift = random.Next(n);
        var assignment = new Dictionary<int, IReadOnlyList<int>>();
        for (var p = 0; p < partitions; p++)
        {
            if (p > 0 && p % n == 0) shift++;
            var first = (p + startIndex) % n;
            var replicas = new List<int>(replicationFactor) { ids[first] };
            for (var j = 0; j < replicationFactor - 1; j++) replicas.Add(ids[(first + 1 + (shift + j) % (n - 1)) % n]);
            assignment[p] = replicas;
        }
        return assignment;
    }
}
