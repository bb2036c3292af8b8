using System.Collections.Concurrent;
using Dashboard.Core.Ensemble;

namespace Dashboard.Core.Replicas;

/// <summary>
/// The snapshots this replica polled and has not published yet, newest only per cluster: a poll replaces the one
/// before it, so a database that is slow or down costs one snapshot per cluster in memory, never a queue, and the
/// poll loop only swaps a reference.
/// </summary>
public sealed class LiveSnapshotOutbox
{
    private readonly ConcurrentDictionary<string, EnsembleSnapshot> _newest = new(StringComparer.Ordinal);

    public int Count => _newest.Count;

    public void Offer(EnsembleSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _newest.AddOrUpdate(snapshot.ClusterId, snapshot, (_, held) => held.TakenAt > snapshot.TakenAt ? held : snapshot);
    }

    /// <summary>Takes every pending snapshot out (each removed only if no newer one arrived meanwhile).</summary>
    public IReadOnlyList<EnsembleSnapshot> TakeAll()
    {
        var taken = new List<EnsembleSnapshot>(_newest.Count);
        foreach (var pending in _newest)
            if (_newest.TryRemove(pending)) taken.Add(pending.Value);
        return taken;
    }
}
