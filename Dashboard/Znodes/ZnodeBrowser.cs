using Dashboard.Core.Clusters;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Znodes;

/// <summary>What the page and the API show for one path: the node, or why there is none (in words).</summary>
internal sealed record ZnodeLoad(string ClusterId, ClusterEntry? Cluster, string Path, ZnodeSnapshot? Snapshot, string? Problem, ZnodeProblemKind ProblemKind = ZnodeProblemKind.None);

internal enum ZnodeProblemKind { None, UnknownCluster, InvalidPath, NoNode, NotAuthorized, BadPattern, Unavailable, Other }

/// <summary>
/// Reads znodes for the web: checks the path before anything is sent, bounds every read by the page timeout and
/// turns each failure into a message, so one slow or dead server never hangs or breaks a page.
/// </summary>
internal sealed partial class ZnodeBrowser(ZooKeeperClientPool pool, ClusterRegistry registry, ZnodeOptions options, ILogger<ZnodeBrowser> logger)
{
    public static string NormalizePath(string? path) => string.IsNullOrEmpty(path) ? "/" : path;

    public async Task<ZnodeLoad> LoadAsync(string clusterId, string? rawPath, ChildrenQuery query, CancellationToken cancellationToken)
    {
        var path = NormalizePath(rawPath);
        var cluster = registry.Find(clusterId);
        if (cluster is null) return new ZnodeLoad(clusterId, null, path, null, $"There is no cluster with the id \"{Visible.Text(clusterId)}\".", ZnodeProblemKind.UnknownCluster);
        if (!ZooKeeperPath.IsValid(path))
        {
            try { ZooKeeperPath.Validate(path); }
            catch (ArgumentException e) { return new ZnodeLoad(clusterId, cluster, path, null, e.Message.Replace(" (Parameter 'path')", "", StringComparison.Ordinal), ZnodeProblemKind.InvalidPath); }
        }
        try
        {
            var snapshot = await RunAsync(clusterId, (client, ct) => ZnodeReader.ReadAsync(client, path, query, ct), cancellationToken).ConfigureAwait(false);
            return new ZnodeLoad(clusterId, cluster, path, snapshot, null);
        }
        catch (Exception e) when (IsExpected(e, cancellationToken))
        {
            return new ZnodeLoad(clusterId, cluster, path, null, ZnodeErrors.Describe(e), e switch
            {
                NoNodeException => ZnodeProblemKind.NoNode,
                NoAuthException or AuthFailedException => ZnodeProblemKind.NotAuthorized,
                System.Text.RegularExpressions.RegexMatchTimeoutException or ArgumentException => ZnodeProblemKind.BadPattern,
                ClusterUnavailableException or ConnectionLossException or RequestTimeoutException or OperationCanceledException or TimeoutException => ZnodeProblemKind.Unavailable,
                _ => ZnodeProblemKind.Other,
            });
        }
    }

    /// <summary>Runs a ZooKeeper operation on the cluster's pooled client, bounded by the page timeout.</summary>
    public async Task<T> RunAsync<T>(string clusterId, Func<ZooKeeperClient, CancellationToken, Task<T>> operation, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout ?? options.PageTimeout);
        try
        {
            var client = await pool.GetAsync(clusterId, bounded.Token).ConfigureAwait(false);
            return await operation(client, bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("ZooKeeper did not answer in time.");
        }
    }

    /// <summary>Errors that become messages; anything else is a bug and is logged (still without a stack trace to the browser).</summary>
    public bool IsExpected(Exception e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) return false;
        if (e is ZooKeeperException or Core.ZooKeeper.Security.ZooKeeperTlsException or ClusterUnavailableException or ArgumentException or TimeoutException or ZooKeeperProtocolException or OperationCanceledException or System.Net.Sockets.SocketException or IOException)
            return true;
        LogUnexpected(logger, e);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Znode request failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception error);
}
