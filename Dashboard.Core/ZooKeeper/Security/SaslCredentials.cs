namespace Dashboard.Core.ZooKeeper.Security;

public enum SaslMechanism
{
    DigestMd5,
    /// <summary>Kerberos V5 through the system's GSSAPI library (RFC 4752), with a keytab and a principal.</summary>
    Gssapi,
}

/// <summary>
/// Who the session authenticates as with SASL. The password is held here only: <see cref="ToString"/> and every
/// message leave it out, so a log line or an error cannot carry it. Kerberos credentials hold no secret themselves:
/// the key stays in the keytab file, which only the GSSAPI library reads.
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

    /// <summary>
    /// Kerberos as <paramref name="principal"/> (<c>name@REALM</c>), its key in <paramref name="keytab"/>; tickets
    /// are obtained from the realm's KDC when the first session needs them and again when they expire.
    /// </summary>
    public static SaslCredentials Kerberos(string principal, string keytab, string? krb5Config = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(keytab);
        return new SaslCredentials(principal, "", SaslMechanism.Gssapi) { Keytab = keytab, Krb5Config = krb5Config };
    }

    public SaslMechanism Mechanism { get; }
    public string UserName { get; }
    internal string Password { get; }
    public string Service { get; init; } = DefaultService;

    /// <summary>GSSAPI: the client keytab holding the principal's key.</summary>
    public string? Keytab { get; init; }

    /// <summary>GSSAPI: the krb5.conf naming the realm's KDCs; null: the process's <c>KRB5_CONFIG</c> or /etc/krb5.conf.</summary>
    public string? Krb5Config { get; init; }

    /// <summary>
    /// GSSAPI: the host part of the servers' principal (<c>zookeeper/HOST@REALM</c>) for every server; null: each
    /// server's host from the connect string, canonicalized through DNS as ZooKeeper's Java client does.
    /// </summary>
    public string? ServerHostName { get; init; }

    public override string ToString() => Mechanism == SaslMechanism.Gssapi
        ? $"SASL GSSAPI as '{UserName}' (keytab {Keytab})"
        : $"SASL {Mechanism} as '{UserName}'";
}
