namespace Dashboard.Core.ZooKeeper.Security;

/// <summary>A TLS connection was refused: the server's certificate failed a check, or the handshake failed.</summary>
public sealed class ZooKeeperTlsException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>TLS or SASL settings that cannot be used (a missing file, a key that does not match its certificate).</summary>
public sealed class ZooKeeperSecurityConfigurationException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// The servers refused this client's SASL credentials (or could not prove they know them). Terminal for the client:
/// retrying the same credentials cannot succeed, so the session ends in <see cref="SessionState.AuthFailed"/>.
/// </summary>
public sealed class SaslAuthenticationException(string detail, Exception? innerException = null)
    : ZooKeeperException(ErrorCode.AuthFailed, null, detail, innerException);
