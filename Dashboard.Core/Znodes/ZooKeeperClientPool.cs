using System.Collections.Concurrent;
using Dashboard.Core.Clusters;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>The cluster id is not in the registry, or the cluster cannot be reached yet (a sandbox still starting).</summary>
public sealed class ClusterUnavailableException(string message) : Exception(message);

/// <summary>
/// One ZooKeeper session per cluster, opened on first use and shared by every request. A session that expired or
/// was closed, or whose cluster changed its connect string (a sandbox gets its string once started), is replaced
/// on the next call; a failed connect is retried on the next call rather than cached.
/// </summary>
public sealed class ZooKeeperClientPool(ClusterRegistry registry, ZooKeeperClientOptions options) : IAsyncDisposable
{
    private sealed class Slot
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public ZooKeeperClient? Client;
        public string? ConnectString;
    }

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    public ZooKeeperClientOptions Options => options;

    public async Task<ZooKeeperClient> GetAsync(string clusterId, CancellationToken cancellationToken = default)
    {
        var entry = registry.Find(clusterId) ?? throw new ClusterUnavailableException($"There is no cluster with the id \"{clusterId}\".");
        if (entry.Availability is ClusterAvailability.Starting or ClusterAvailability.Failed)
            throw new ClusterUnavailableException($"The cluster \"{entry.Definition.Name}\" is {entry.Availability.ToString().ToLowerInvariant()}: {entry.Detail}");
        var connectString = entry.Definition.ConnectString;
        var slot = _slots.GetOrAdd(clusterId, _ => new Slot());
        if (Usable(slot, connectString) is { } ready) return ready;

        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Usable(slot, connectString) is { } raced) return raced;
            var stale = slot.Client;
            slot.Client = null;
            if (stale is not null) await stale.DisposeAsync().ConfigureAwait(false);
            slot.Client = await ZooKeeperClient.ConnectAsync(connectString, entry.Definition.ClientOptions(options), cancellationToken).ConfigureAwait(false);
            slot.ConnectString = connectString;
            return slot.Client;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private static ZooKeeperClient? Usable(Slot slot, string connectString) =>
        slot.Client is { State: not (SessionState.Expired or SessionState.Closed or SessionState.AuthFailed) } client && slot.ConnectString == connectString ? client : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var slot in _slots.Values)
        {
            if (slot.Client is { } client) await client.DisposeAsync().ConfigureAwait(false);
            slot.Gate.Dispose();
        }
        _slots.Clear();
    }
}
