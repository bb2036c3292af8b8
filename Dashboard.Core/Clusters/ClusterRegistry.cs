using System.Collections.Immutable;

namespace Dashboard.Core.Clusters;

public enum ClusterAvailability { Configured, Starting, Ready, Failed }

/// <summary>A cluster and where it stands from the dashboard's point of view (a sandbox may still be starting).</summary>
public sealed record ClusterEntry(ClusterDefinition Definition, ClusterAvailability Availability, string? Detail = null);

/// <summary>
/// The clusters the dashboard knows, as an immutable list replaced whole on every change, so readers never see a
/// half-made update. Subscribers hear of each change.
/// </summary>
public sealed class ClusterRegistry
{
    private ImmutableList<ClusterEntry> _clusters = [];
    private readonly Lock _gate = new();

    public ClusterRegistry(IEnumerable<ClusterDefinition> configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        foreach (var definition in configured)
        {
            if (Find(definition.Id) is not null)
                throw new ClusterConfigurationException($"Two clusters have the id '{definition.Id}': give one of them another Id or Name.");
            Upsert(new ClusterEntry(definition, ClusterAvailability.Configured));
        }
    }

    public event Action<IReadOnlyList<ClusterEntry>>? Changed;

    public IReadOnlyList<ClusterEntry> Clusters => _clusters;

    /// <summary>Calls <paramref name="changed"/> after every change of the list (it only signals; read <see cref="Clusters"/>).</summary>
    public IDisposable Subscribe(Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        void OnChanged(IReadOnlyList<ClusterEntry> _) => changed();
        Changed += OnChanged;
        return new Live.Subscription(() => Changed -= OnChanged);
    }

    public ClusterEntry? Find(string id) => _clusters.FirstOrDefault(c => c.Definition.Id == id);

    public void Upsert(ClusterEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ImmutableList<ClusterEntry> now;
        lock (_gate)
        {
            var existing = _clusters.FindIndex(c => c.Definition.Id == entry.Definition.Id);
            _clusters = existing >= 0 ? _clusters.SetItem(existing, entry) : _clusters.Add(entry);
            now = _clusters;
        }
        Changed?.Invoke(now);
    }
}
