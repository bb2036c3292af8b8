using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>ZooKeeper errors in words an operator can act on (shown in place of the failed part, never a stack trace).</summary>
public static class ZnodeErrors
{
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var path = error is ZooKeeperException { Path: { } p } ? Visible.Text(p) : "the node";
        return error switch
        {
            NoNodeException => $"{path} does not exist (it may have just been deleted).",
            NoAuthException => $"Not authorized: the ACL of {path} does not let the dashboard do this.",
            BadVersionException => $"{path} changed since it was read; reload and try again.",
            NotEmptyException => $"{path} has children; delete them first or use the recursive delete.",
            NodeExistsException => $"{path} already exists.",
            NoChildrenForEphemeralsException => "Ephemeral nodes cannot have children.",
            InvalidAclException => "ZooKeeper refused the ACL as invalid.",
            ConnectionLossException or RequestTimeoutException =>
                "The ZooKeeper server did not answer in time; the client is moving to another server. Try again in a moment.",
            SessionExpiredException => "The dashboard's ZooKeeper session expired; a new one is opened on the next request.",
            // The cluster's TLS or SASL settings do not fit its servers: the message names the check that failed.
            Dashboard.Core.ZooKeeper.Security.SaslAuthenticationException or Dashboard.Core.ZooKeeper.Security.ZooKeeperTlsException => error.Message,
            ZooKeeperException z => $"ZooKeeper refused the request ({z.Code}).",
            ClusterUnavailableException => error.Message,
            ArgumentException => error.Message,
            TimeoutException or OperationCanceledException => "ZooKeeper did not answer in time.",
            _ => "The request failed unexpectedly; the server log has the details.",
        };
    }
}
