using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Dashboard.Core.Kafka;

/// <summary>
/// Partition number to replica list, as a topic's assignment holds it: arrays sorted by partition instead of a hash
/// table, since a full read makes three of these per topic (10,000 topics: 30,000 dictionaries that were most of the
/// read's allocations). Kafka numbers partitions 0..n-1, so a lookup is usually an index; otherwise a binary search.
/// Enumerates in partition order.
/// </summary>
internal sealed class PartitionReplicaMap : IReadOnlyDictionary<int, IReadOnlyList<int>>
{
    public static PartitionReplicaMap Empty { get; } = new([], []);

    private readonly int[] _partitions;
    private readonly IReadOnlyList<int>[] _replicas;
    private readonly bool _dense;

    private PartitionReplicaMap(int[] partitions, IReadOnlyList<int>[] replicas)
    {
        _partitions = partitions;
        _replicas = replicas;
        // Sorted, distinct, never negative and ending at n-1: exactly 0..n-1.
        _dense = partitions.Length > 0 && partitions[^1] == partitions.Length - 1;
    }

    /// <summary>From entries in JSON order; a partition named twice keeps its last list, as a dictionary would.</summary>
    public static PartitionReplicaMap Of(List<(int Partition, IReadOnlyList<int> Replicas)> entries)
    {
        if (entries.Count == 0) return Empty;
        var sorted = true;
        for (var i = 1; i < entries.Count && sorted; i++) sorted = entries[i - 1].Partition < entries[i].Partition;
        if (!sorted)
        {
            var last = new Dictionary<int, IReadOnlyList<int>>();
            foreach (var (partition, replicas) in entries) last[partition] = replicas;
            entries = [.. last.Select(e => (e.Key, e.Value)).OrderBy(e => e.Key)];
        }
        var partitions = new int[entries.Count];
        var lists = new IReadOnlyList<int>[entries.Count];
        for (var i = 0; i < entries.Count; i++) (partitions[i], lists[i]) = entries[i];
        return new PartitionReplicaMap(partitions, lists);
    }

    public int Count => _partitions.Length;

    public IReadOnlyList<int> this[int key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no partition {key}");

    public IEnumerable<int> Keys => _partitions;

    public IEnumerable<IReadOnlyList<int>> Values => _replicas;

    public bool ContainsKey(int key) => IndexOf(key) >= 0;

    public bool TryGetValue(int key, [MaybeNullWhen(false)] out IReadOnlyList<int> value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _replicas[index] : null;
        return index >= 0;
    }

    private int IndexOf(int key)
    {
        if (_dense) return (uint)key < (uint)_partitions.Length ? key : -1;
        var index = Array.BinarySearch(_partitions, key);
        return index >= 0 ? index : -1;
    }

    public IEnumerator<KeyValuePair<int, IReadOnlyList<int>>> GetEnumerator()
    {
        for (var i = 0; i < _partitions.Length; i++) yield return new(_partitions[i], _replicas[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
