using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Core.Clusters;

/// <summary><c>Dashboard:Clusters:N:Tls</c>: TLS to the client port (the servers' <c>secureClientPort</c>).</summary>
public sealed class ClusterTlsOptions
{
    /// <summary>Off keeps the section (for later) without using it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>PEM file of the CA(s) the servers' certificates chain to; absent: the system's trust store.</summary>
    public string? CaBundle { get; set; }
    public string? ClientCertificate { get; set; }
    public string? ClientKey { get; set; }
    public bool VerifyHostName { get; set; } = true;
    public string? ServerHostName { get; set; }

    /// <summary><c>Tls12</c> (default) or <c>Tls13</c>.</summary>
    public string? MinimumVersion { get; set; }

    internal ZooKeeperTls? Load(string where)
    {
        if (!Enabled) return null;
        var minimum = TlsMinimumVersion.Tls12;
        if (MinimumVersion is { Length: > 0 } text)
        {
            var normalized = text.Replace(".", "", StringComparison.Ordinal).Replace("v", "", StringComparison.OrdinalIgnoreCase).Trim();
            minimum = normalized.ToUpperInvariant() switch
            {
                "TLS12" or "12" => TlsMinimumVersion.Tls12,
                "TLS13" or "13" => TlsMinimumVersion.Tls13,
                _ => throw new ClusterConfigurationException($"{where}:MinimumVersion is '{text}': use Tls12 or Tls13."),
            };
        }
        try
        {
            return ZooKeeperTls.Load(new ZooKeeperTlsOptions
            {
                CaBundle = CaBundle, ClientCertificate = ClientCertificate, ClientKey = ClientKey,
                VerifyHostName = VerifyHostName, ServerHostName = ServerHostName, MinimumVersion = minimum,
            }, where);
        }
        catch (ZooKeeperSecurityConfigurationException e)
        {
            throw new ClusterConfigurationException(e.Message, e);
        }
    }
}

/// <summary>
/// <c>Dashboard:Clusters:N:Sasl</c>: SASL in the session handshake: DIGEST-MD5 with a JAAS user on the servers, or
/// Kerberos (GSSAPI) with a principal and its keytab.
/// </summary>
public sealed class ClusterSaslOptions
{
    /// <summary><c>DIGEST-MD5</c> (the default) or <c>GSSAPI</c> (Kerberos).</summary>
    public string? Mechanism { get; set; }
    public string? UserName { get; set; }

    /// <summary>Never shown, logged or served; give it by environment (<c>Dashboard__Clusters__0__Sasl__Password</c>) or a secret store.</summary>
    public string? Password { get; set; }

    /// <summary>The servers' SASL service name (Java's <c>zookeeper.sasl.client.username</c>); default <c>zookeeper</c>.</summary>
    public string? Service { get; set; }

    /// <summary>GSSAPI: the client principal, <c>name@REALM</c>.</summary>
    public string? Principal { get; set; }

    /// <summary>GSSAPI: the keytab file with the principal's key (its path may be shown; its content never is).</summary>
    public string? Keytab { get; set; }

    /// <summary>GSSAPI: the krb5.conf naming the realm's KDCs; absent: <c>KRB5_CONFIG</c> or /etc/krb5.conf.</summary>
    public string? Krb5Config { get; set; }

    /// <summary>GSSAPI: the host in the servers' principal (<c>zookeeper/HOST@REALM</c>); absent: each server's canonical host name.</summary>
    public string? ServerHostName { get; set; }

    public override string ToString() => IsKerberos ? $"SASL GSSAPI as '{Principal}'" : $"SASL {Mechanism ?? "DIGEST-MD5"} as '{UserName}'";

    private bool IsKerberos => (Mechanism ?? "").Trim().ToUpperInvariant() is "GSSAPI" or "KERBEROS";

    internal SaslCredentials Load(string where)
    {
        var mechanism = (Mechanism ?? "DIGEST-MD5").Trim().ToUpperInvariant() switch
        {
            "DIGEST-MD5" or "DIGESTMD5" => SaslMechanism.DigestMd5,
            "GSSAPI" or "KERBEROS" => SaslMechanism.Gssapi,
            _ => throw new ClusterConfigurationException($"{where}:Mechanism is '{Mechanism}': this dashboard supports DIGEST-MD5 and GSSAPI (Kerberos)."),
        };
        var service = string.IsNullOrWhiteSpace(Service) ? SaslCredentials.DefaultService : Service.Trim();
        if (mechanism == SaslMechanism.Gssapi) return LoadKerberos(where, service);
        if (string.IsNullOrWhiteSpace(UserName)) throw new ClusterConfigurationException($"{where}:UserName is missing.");
        if (string.IsNullOrEmpty(Password)) throw new ClusterConfigurationException($"{where}:Password is missing (for user '{UserName}').");
        return new SaslCredentials(UserName.Trim(), Password, mechanism) { Service = service };
    }

    private SaslCredentials LoadKerberos(string where, string service)
    {
        if (string.IsNullOrWhiteSpace(Principal)) throw new ClusterConfigurationException($"{where}:Principal is missing (the client principal, name@REALM).");
        if (string.IsNullOrWhiteSpace(Keytab)) throw new ClusterConfigurationException($"{where}:Keytab is missing (the keytab file with {Principal}'s key).");
        // Files are checked when a session authenticates: a keytab missing now is that cluster's error, not the dashboard's.
        return new SaslCredentials(Principal.Trim(), "", SaslMechanism.Gssapi)
        {
            Keytab = Keytab, Krb5Config = string.IsNullOrWhiteSpace(Krb5Config) ? null : Krb5Config,
            Service = service, ServerHostName = string.IsNullOrWhiteSpace(ServerHostName) ? null : ServerHostName.Trim(),
        };
    }
}
