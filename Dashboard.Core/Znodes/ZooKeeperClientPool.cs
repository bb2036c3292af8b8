using System.Collections.Concurrent;
using Dashboard.Core.Clusters;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>The cluster id is not in the registry, or the cluster cannot be reached yet (a sandbox still starting).</summary>
public sealed class ClusterUnavailableException(string message) : Exception(message);

/// <summary>
/// One ZooKeeper session per cluster, opened on first use and shared by every request. A session that expired or
/// was closed, or whose cluster changed its connect string (a sandbox gets its string once started), is replaced
/// on the next call; a failed connect is retried on the next call rather than cached. The cluster's digest
/// credentials (<c>Digest</c>, user:password) are added to each new session, so the browser sees what they allow.
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

    /// <summary>Who the cluster's sessions are to ZooKeeper (for the ACL lock-out check).</summary>
    public DashboardIdentities Identities(string clusterId) => DashboardIdentities.FromDigest(registry.Find(clusterId)?.Definition.Digest);

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
            var client = await ZooKeeperClient.ConnectAsync(connectString, entry.Definition.ClientOptions(options), cancellationToken).ConfigureAwait(false);
            try
            {
                if (entry.Definition.Digest is { } digest && digest.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
                    await client.AddDigestAuthAsync(digest[..colon], digest[(colon + 1)..], cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await client.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            slot.Client = client;
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
