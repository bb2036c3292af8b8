namespace Dashboard.Core.ZooKeeper.Security;

/// <summary>A TLS connection was refused: the server's certificate failed a check, or the handshake failed.</summary>
public sealed class ZooKeeperTlsException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>TLS or SASL settings that cannot be used (a missing file, a key that does not match its certificate).</summary>
public sealed class ZooKeeperSecurityConfigurationException(string message, Exception? innerException = null) : Exception(message, innerException);
