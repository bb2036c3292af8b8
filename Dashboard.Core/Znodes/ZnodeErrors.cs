using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>ZooKeeper errors in words an operator can act on (shown in place of the failed part, never a stack trace).</summary>
public static class ZnodeErrors
{
    /// <summary>Errors that concern one node only (the session is fine): a walk, export or plan skips that node and goes on.</summary>
    public static bool IsPerNode(Exception error) => error is NoAuthException or ReplyTooLargeException or RequestTooLargeException;

    /// <summary>The setting that bounds the dashboard's znode replies (named in messages so the person knows what to raise).</summary>
    public const string FrameSetting = "Znodes:MaxFrameSize";

    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var path = error is ZooKeeperException { Path: { } p } ? Visible.Text(p) : "the node";
        return error switch
        {
            ReplyTooLargeException big =>
                $"ZooKeeper's reply for {path} is {big.FrameSize:N0} bytes, more than the dashboard's frame limit of {big.MaxFrameSize:N0} bytes. Raise the setting {FrameSetting} (with the servers' jute.maxbuffer if needed) to read it. The session is fine; only this read failed.",
            RequestTooLargeException => $"The request for {path} is larger than the dashboard's frame limit (the setting {FrameSetting}); nothing was sent.",
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
            System.Text.RegularExpressions.RegexMatchTimeoutException =>
                "The filter or search pattern took too long to match and was stopped: it is a bad pattern here (ZooKeeper answered fine). Use a simpler one.",
            ArgumentException => error.Message,
            TimeoutException or OperationCanceledException => "ZooKeeper did not answer in time.",
            _ => "The request failed unexpectedly; the server log has the details.",
        };
    }
}
