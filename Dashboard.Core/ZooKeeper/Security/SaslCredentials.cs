namespace Dashboard.Core.ZooKeeper.Security;

public enum SaslMechanism { DigestMd5 }

/// <summary>
/// Who the session authenticates as with SASL. The password is held here only: <see cref="ToString"/> and every
/// message leave it out, so a log line or an error cannot carry it.
/// </summary>
public sealed class SaslCredentials
{
    /// <summary>The service name ZooKeeper's servers register (Java's <c>zookeeper.sasl.client.username</c>).</summary>
    public const string DefaultService = "zookeeper";

    /// <summary>The server host name ZooKeeper's Java client uses for DIGEST-MD5 (its digest-uri is <c>zookeeper/zk-sasl-md5</c>).</summary>
    public const string DigestServerName = "zk-sasl-md5";

    public SaslCredentials(string userName, string password, SaslMechanism mechanism = SaslMechanism.DigestMd5)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentNullException.ThrowIfNull(password);
        UserName = userName;
        Password = password;
        Mechanism = mechanism;
    }

    public SaslMechanism Mechanism { get; }
    public string UserName { get; }
    internal string Password { get; }
    public string Service { get; init; } = DefaultService;

    public override string ToString() => $"SASL {Mechanism} as '{UserName}'";
}
