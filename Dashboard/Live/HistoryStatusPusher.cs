using Dashboard.Components.Controls;
using Dashboard.Core.History;

namespace Dashboard.Live;

/// <summary>Tells every open page at once when history becomes degraded or recovers.</summary>
internal sealed class HistoryStatusPusher(HistoryWriter writer, LiveFragmentPublisher publisher, ILogger<HistoryStatusPusher> logger)
    : ChangePusher<HistoryStatus, HistoryStatusBanner>(publisher, logger)
{
    protected override string Topic => LiveTopics.HistoryStatus;
    protected override void Subscribe(Action<HistoryStatus> onChanged) => writer.StatusChanged += onChanged;
    protected override void Unsubscribe(Action<HistoryStatus> onChanged) => writer.StatusChanged -= onChanged;
    protected override IDictionary<string, object?> Parameters(HistoryStatus state) =>
        new Dictionary<string, object?> { [nameof(HistoryStatusBanner.Status)] = state };
}
