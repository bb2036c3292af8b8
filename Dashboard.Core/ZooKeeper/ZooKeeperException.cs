namespace Dashboard.Core.ZooKeeper;

/// <summary>An error answered by ZooKeeper (or raised by this client in ZooKeeper's terms), with the path it concerns.</summary>
public class ZooKeeperException : Exception
{
    public ZooKeeperException(ErrorCode code, string? path, string? detail = null, Exception? innerException = null)
        : base(Describe(code, path, detail), innerException)
    {
        Code = code;
        Path = path;
    }

    public ErrorCode Code { get; }

    /// <summary>The caller's path (before the chroot is applied), when the error concerns one.</summary>
    public string? Path { get; }

    /// <summary>True for the errors after which the same request may succeed on a new connection.</summary>
    public bool IsTransient => Code is ErrorCode.ConnectionLoss or ErrorCode.OperationTimeout or ErrorCode.RequestTimeout or ErrorCode.Throttled;

    /// <summary>The typed exception for a code, so callers can catch <see cref="NoNodeException"/> and the like.</summary>
    public static ZooKeeperException Create(ErrorCode code, string? path, string? detail = null, Exception? innerException = null) => code switch
    {
        ErrorCode.NoNode => new NoNodeException(path, detail),
        ErrorCode.NodeExists => new NodeExistsException(path, detail),
        ErrorCode.BadVersion => new BadVersionException(path, detail),
        ErrorCode.NotEmpty => new NotEmptyException(path, detail),
        ErrorCode.NoAuth => new NoAuthException(path, detail),
        ErrorCode.InvalidAcl => new InvalidAclException(path, detail),
        ErrorCode.AuthFailed => new AuthFailedException(path, detail),
        ErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path, detail),
        ErrorCode.SessionExpired => new SessionExpiredException(path, detail),
        ErrorCode.ConnectionLoss => new ConnectionLossException(path, detail, innerException),
        ErrorCode.RequestTimeout => new RequestTimeoutException(path, detail),
        ErrorCode.Unimplemented => new UnimplementedException(path, detail),
        _ => new ZooKeeperException(code, path, detail, innerException),
    };

    private static string Describe(ErrorCode code, string? path, string? detail)
    {
        var text = code switch
        {
            ErrorCode.NoNode => "no node",
            ErrorCode.NodeExists => "node exists",
            ErrorCode.BadVersion => "bad version",
            ErrorCode.NotEmpty => "node has children",
            ErrorCode.NoAuth => "not authorized",
            ErrorCode.InvalidAcl => "invalid ACL",
            ErrorCode.AuthFailed => "authentication failed",
            ErrorCode.NoChildrenForEphemerals => "ephemeral nodes cannot have children",
            ErrorCode.SessionExpired => "session expired",
            ErrorCode.ConnectionLoss => "connection lost",
            ErrorCode.RequestTimeout => "request timed out",
            ErrorCode.Unimplemented => "operation not implemented by the server",
            ErrorCode.MarshallingError => "reply or request could not be marshalled",
            ErrorCode.ReconfigDisabled => "dynamic reconfiguration is disabled on the server",
            ErrorCode.NewConfigNoQuorum => "the new configuration has no quorum",
            ErrorCode.ReconfigInProgress => "another reconfiguration is in progress",
            _ => code.ToString(),
        };
        var where = path is null ? "" : $" for {path}";
        var more = string.IsNullOrEmpty(detail) ? "" : $": {detail}";
        return $"ZooKeeper: {text}{where} ({(int)code}){more}";
    }
}

public sealed class NoNodeException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.NoNode, path, detail);

public sealed class NodeExistsException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.NodeExists, path, detail);

public sealed class BadVersionException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.BadVersion, path, detail);

public sealed class NotEmptyException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.NotEmpty, path, detail);

public sealed class NoAuthException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.NoAuth, path, detail);

public sealed class InvalidAclException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.InvalidAcl, path, detail);

public sealed class AuthFailedException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.AuthFailed, path, detail);

public sealed class NoChildrenForEphemeralsException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.NoChildrenForEphemerals, path, detail);

/// <summary>The session is gone for good: its ephemeral nodes and watches are gone; a new client is needed.</summary>
public sealed class SessionExpiredException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.SessionExpired, path, detail);

/// <summary>The connection dropped with this request unanswered: it may or may not have been applied.</summary>
public sealed class ConnectionLossException(string? path, string? detail = null, Exception? innerException = null)
    : ZooKeeperException(ErrorCode.ConnectionLoss, path, detail, innerException);

/// <summary>No answer within the client's request timeout.</summary>
public sealed class RequestTimeoutException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.RequestTimeout, path, detail);

public sealed class UnimplementedException(string? path, string? detail = null) : ZooKeeperException(ErrorCode.Unimplemented, path, detail);

/// <summary>A transaction (multi) failed as a whole; <see cref="Results"/> says which operation failed and why.</summary>
public sealed class TransactionFailedException(ErrorCode code, string? path, int failedIndex, IReadOnlyList<OperationResult> results)
    : ZooKeeperException(code, path, $"operation {failedIndex} of the transaction failed, so none was applied")
{
    public int FailedIndex { get; } = failedIndex;
    public IReadOnlyList<OperationResult> Results { get; } = results;
}

/// <summary>The server's bytes broke the protocol (bad length, truncated or garbled record, unexpected xid).</summary>
/// <summary>
/// The server's reply was longer than this client's frame limit. Only that request failed; the session is intact.
/// Raise the limit (the client's MaxFrameSize; the server's jute.maxbuffer bounds what it will send) or read less at once.
/// </summary>
public sealed class ReplyTooLargeException(string? path, int frameSize, int maxFrameSize)
    : ZooKeeperException(ErrorCode.MarshallingError, path,
        $"the reply is {frameSize} bytes, more than this client's {maxFrameSize}-byte frame limit; the session is kept")
{
    /// <summary>Length of the reply as the server announced it.</summary>
    public int FrameSize { get; } = frameSize;

    /// <summary>The client's limit it exceeded.</summary>
    public int MaxFrameSize { get; } = maxFrameSize;
}

/// <summary>This client refused to send a request longer than its frame limit (the server would drop the connection).</summary>
public sealed class RequestTooLargeException(string? path, int size, int maxFrameSize)
    : ZooKeeperException(ErrorCode.MarshallingError, path,
        $"the request is {size} bytes, more than the {maxFrameSize}-byte frame limit (jute.maxbuffer)");

public sealed class ZooKeeperProtocolException : Exception
{
    public ZooKeeperProtocolException(string message, bool endOfStream = false) : base(message) => EndOfStream = endOfStream;

    /// <summary>The stream ended (server closed); the other cases are real protocol violations.</summary>
    public bool EndOfStream { get; }
}
