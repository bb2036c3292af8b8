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

/// <summary><c>Dashboard:Clusters:N:Sasl</c>: SASL in the session handshake (DIGEST-MD5 with a JAAS user on the servers).</summary>
public sealed class ClusterSaslOptions
{
    /// <summary><c>DIGEST-MD5</c> (the default).</summary>
    public string? Mechanism { get; set; }
    public string? UserName { get; set; }

    /// <summary>Never shown, logged or served; give it by environment (<c>Dashboard__Clusters__0__Sasl__Password</c>) or a secret store.</summary>
    public string? Password { get; set; }

    /// <summary>The servers' SASL service name (Java's <c>zookeeper.sasl.client.username</c>); default <c>zookeeper</c>.</summary>
    public string? Service { get; set; }

    public override string ToString() => $"SASL {Mechanism ?? "DIGEST-MD5"} as '{UserName}'";

    internal SaslCredentials Load(string where)
    {
        var mechanism = (Mechanism ?? "DIGEST-MD5").Trim().ToUpperInvariant() switch
        {
            "DIGEST-MD5" or "DIGESTMD5" => SaslMechanism.DigestMd5,
            _ => throw new ClusterConfigurationException($"{where}:Mechanism is '{Mechanism}': this dashboard supports DIGEST-MD5."),
        };
        if (string.IsNullOrWhiteSpace(UserName)) throw new ClusterConfigurationException($"{where}:UserName is missing.");
        if (string.IsNullOrEmpty(Password)) throw new ClusterConfigurationException($"{where}:Password is missing (for user '{UserName}').");
        return new SaslCredentials(UserName.Trim(), Password, mechanism) { Service = string.IsNullOrWhiteSpace(Service) ? SaslCredentials.DefaultService : Service.Trim() };
    }
}
