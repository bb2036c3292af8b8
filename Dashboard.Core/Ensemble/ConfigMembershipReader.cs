using System.Collections.Immutable;
using System.Text;
using Dashboard.Core.Clusters;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Ensemble;

/// <summary>The membership one server reported through <c>/zookeeper/config</c>, and when.</summary>
public sealed record ConfigZnodeMembership(ImmutableArray<EnsembleMember> Members, long? ConfigVersion, string? Server, DateTimeOffset ReadAt);

/// <summary>
/// Reads the membership from the <c>/zookeeper/config</c> znode over one client session per cluster, for ensembles
/// where 4lw <c>conf</c> is refused and the AdminServer has no membership. The session is kept across polls and
/// recreated after any failure. Refreshes run in the background (one at a time): a poll uses the last value and is
/// never delayed by a slow or dead session.
/// </summary>
public sealed class ConfigMembershipReader(ClusterDefinition cluster, TimeProvider? time = null) : IAsyncDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _start = new();
    private ZooKeeperClient? _client;
    private Task? _refreshing;
    private bool _disposed;

    /// <summary>The last membership read; kept when a later refresh fails.</summary>
    public ConfigZnodeMembership? Latest { get; private set; }

    /// <summary>Why the last refresh failed; null after a success.</summary>
    public string? LastError { get; private set; }

    /// <summary>Sessions opened so far (tests check that the session is reused).</summary>
    public int SessionsOpened { get; private set; }

    /// <summary>Starts a refresh unless one is running; returns at once.</summary>
    public void RequestRefresh()
    {
        lock (_start)
        {
            if (_disposed || _refreshing is { IsCompleted: false }) return;
            _refreshing = Task.Run(() => RefreshAsync(CancellationToken.None));
        }
    }

    /// <summary>Reads the config znode now, within the cluster's node timeout per step. Never throws for the ensemble's failures.</summary>
    public async Task<ConfigZnodeMembership?> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_disposed) return Latest;
            var timeout = cluster.NodeTimeout;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // Connect, authenticate and read: each bounded, and the whole at most a few timeouts.
            deadline.CancelAfter(timeout * 3);
            try
            {
                var client = _client ??= await OpenAsync(timeout, deadline.Token).ConfigureAwait(false);
                var data = await client.GetConfigAsync(null, deadline.Token).ConfigureAwait(false);
                var parsed = Parse(Encoding.UTF8.GetString(data.Data));
                Latest = new ConfigZnodeMembership(parsed.Members, parsed.ConfigVersion, client.ConnectedServer, _time.GetUtcNow());
                LastError = null;
            }
            catch (Exception e) when (e is ZooKeeperException or ZooKeeperProtocolException or TimeoutException or OperationCanceledException
                                          or IOException or System.Net.Sockets.SocketException or ObjectDisposedException
                                      && !cancellationToken.IsCancellationRequested)
            {
                LastError = e is OperationCanceledException ? $"no answer within {(timeout * 3).TotalMilliseconds:0} ms" : e.Message.TrimEnd('.');
                await DropSessionAsync().ConfigureAwait(false);
            }
            return Latest;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary><c>/zookeeper/config</c> holds the <c>server.N=</c> lines and <c>version=&lt;hex&gt;</c>, as <c>conf</c> prints after "membership:".</summary>
    public static (ImmutableArray<EnsembleMember> Members, long? ConfigVersion) Parse(string data)
    {
        var conf = ConfResponse.Parse("membership:\n" + data);
        return (conf.Members, conf.ConfigVersion);
    }

    private async Task<ZooKeeperClient> OpenAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var options = cluster.ClientOptions(new ZooKeeperClientOptions { ConnectTimeout = timeout, RequestTimeout = timeout });
        var client = await ZooKeeperClient.ConnectAsync(cluster.ConnectString, options, cancellationToken).ConfigureAwait(false);
        SessionsOpened++;
        try
        {
            if (cluster.Digest is { } digest)
            {
                var colon = digest.IndexOf(':', StringComparison.Ordinal);
                await client.AddDigestAuthAsync(digest[..colon], digest[(colon + 1)..], cancellationToken).ConfigureAwait(false);
            }
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task DropSessionAsync()
    {
        var client = _client;
        _client = null;
        if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Task? refreshing;
        lock (_start)
        {
            _disposed = true;
            refreshing = _refreshing;
        }
        if (refreshing is not null) await refreshing.ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await DropSessionAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
    }
}
