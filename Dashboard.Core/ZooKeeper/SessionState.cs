namespace Dashboard.Core.ZooKeeper;

/// <summary>
/// The session as the caller sees it, apart from the state of any one TCP connection: a session outlives
/// connections until the server expires it.
/// </summary>
public enum SessionState
{
    /// <summary>No session yet; the first connection is being made.</summary>
    Connecting,
    /// <summary>Connected to a server; requests flow.</summary>
    Connected,
    /// <summary>The connection dropped; the client is reconnecting and the session is probably still alive.</summary>
    Suspended,
    /// <summary>Disconnected for longer than the session timeout: the session has most likely expired.</summary>
    Lost,
    /// <summary>The server confirmed the session is gone (ephemerals deleted, watches dropped). Terminal.</summary>
    Expired,
    /// <summary>The client closed the session. Terminal.</summary>
    Closed,
    /// <summary>The servers refused the session's SASL credentials; retrying them cannot help. Terminal.</summary>
    AuthFailed,
}

/// <summary>A change of <see cref="SessionState"/>, with the server involved when there is one.</summary>
public sealed record SessionStateChange(SessionState Previous, SessionState Current, string? Server);
