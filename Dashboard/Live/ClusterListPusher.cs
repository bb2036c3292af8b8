using Dashboard.Components.Controls;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;

namespace Dashboard.Live;

/// <summary>Pushes the cluster list to open pages whenever the registry changes (e.g. the sandbox becomes ready).</summary>
internal sealed class ClusterListPusher(ClusterRegistry registry, EnsembleStore store, LiveFragmentPublisher publisher, ILogger<ClusterListPusher> logger)
    : ChangePusher<IReadOnlyList<ClusterEntry>, ClusterList>(publisher, logger)
{
    protected override string Topic => LiveTopics.Clusters;
    protected override void Subscribe(Action<IReadOnlyList<ClusterEntry>> onChanged) => registry.Changed += onChanged;
    protected override void Unsubscribe(Action<IReadOnlyList<ClusterEntry>> onChanged) => registry.Changed -= onChanged;
    protected override IDictionary<string, object?> Parameters(IReadOnlyList<ClusterEntry> state) => ClusterList.Parameters(state, store.Latest);
}
