namespace Dashboard.Core.ZooKeeper.Security;

/// <summary>
/// A TLS connection was refused: the server's certificate failed a check, or the handshake failed. A connection
/// failure in ZooKeeper's terms (connection loss), so every caller that copes with an unreachable server copes
/// with this one; its message is the cause alone.
/// </summary>
public sealed class ZooKeeperTlsException(string message, Exception? innerException = null)
    : ZooKeeperException(ErrorCode.ConnectionLoss, null, message, innerException)
{
    private readonly string _message = message;

    public override string Message => _message;
}

/// <summary>TLS or SASL settings that cannot be used (a missing file, a key that does not match its certificate).</summary>
public sealed class ZooKeeperSecurityConfigurationException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// The servers refused this client's SASL credentials (or could not prove they know them). Terminal for the client:
/// retrying the same credentials cannot succeed, so the session ends in <see cref="SessionState.AuthFailed"/>.
/// </summary>
public sealed class SaslAuthenticationException(string detail, Exception? innerException = null)
    : ZooKeeperException(ErrorCode.AuthFailed, null, detail, innerException);
