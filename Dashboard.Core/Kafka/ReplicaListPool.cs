namespace Dashboard.Core.Kafka;

/// <summary>
/// One shared array per distinct broker-id list (replicas, ISR). A cluster has few distinct lists (orderings of its
/// brokers) but 100,000 partitions hold two each: sharing them halves the objects a full read leaves behind, and a
/// pool kept across reads hands out arrays that already live in the old generation, so the collector copies nothing
/// new. The arrays are never written after they are made (snapshots are immutable). Bounded: cleared when full.
/// </summary>
internal sealed class ReplicaListPool(int capacity = 8192)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int[], int[]> _lists = new(Comparer.Instance);

    /// <summary>The pooled array equal to <paramref name="ids"/> (which is then garbage, young and cheap), or <paramref name="ids"/> itself.</summary>
    public int[] Share(int[] ids)
    {
        lock (_lock)
        {
            if (_lists.TryGetValue(ids, out var shared)) return shared;
            if (_lists.Count >= capacity) _lists.Clear();
            _lists[ids] = ids;
            return ids;
        }
    }

    private sealed class Comparer : IEqualityComparer<int[]>
    {
        public static Comparer Instance { get; } = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] ids)
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ids.AsSpan()));
            return hash.ToHashCode();
        }
    }
}
