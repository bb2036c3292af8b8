using System.Collections.Concurrent;
using Dashboard.Core.Kafka;

namespace Dashboard.Live;

/// <summary>An ISR table someone opened: which cluster, topic and filters, under which live topic.</summary>
internal sealed record KafkaIsrView(string LiveTopic, string ClusterId, string Topic, PartitionQuery Query);

/// <summary>
/// The ISR views pages have rendered, so the pusher knows which filtered pages to re-render (the hub does not tell
/// which groups have members). Bounded: beyond <see cref="Limit"/> the least recently opened view stops updating.
/// </summary>
internal sealed class KafkaIsrViews
{
    public const int Limit = 256;
    private readonly ConcurrentDictionary<string, (KafkaIsrView View, long Order)> _views = new(StringComparer.Ordinal);
    private long _order;

    public void Opened(KafkaIsrView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        _views[view.LiveTopic] = (view, Interlocked.Increment(ref _order));
        if (_views.Count <= Limit) return;
        foreach (var old in _views.OrderBy(v => v.Value.Order).Take(_views.Count - Limit).ToList()) _views.TryRemove(old.Key, out _);
    }

    public IReadOnlyList<KafkaIsrView> Of(string clusterId) =>
        _views.Values.Select(v => v.View).Where(v => v.ClusterId == clusterId).ToList();
}
