namespace Dashboard.Core.ZooKeeper.Security;

/// <summary>The oldest TLS version a connection may use.</summary>
public enum TlsMinimumVersion { Tls12, Tls13 }

/// <summary>
/// TLS to a ZooKeeper secure client port (<c>secureClientPort</c>), as written in settings. Load it with
/// <see cref="ZooKeeperTls.Load"/>, which reads the files once and names the setting that is wrong.
/// </summary>
public sealed record ZooKeeperTlsOptions
{
    /// <summary>PEM file of the CA certificate(s) the servers' certificates must chain to; null: the system's trust store.</summary>
    public string? CaBundle { get; init; }

    /// <summary>PEM certificate presented to servers that ask for one (<c>ssl.clientAuth=need|want</c>).</summary>
    public string? ClientCertificate { get; init; }

    /// <summary>PEM private key of <see cref="ClientCertificate"/> (unencrypted PKCS#8, PKCS#1 or SEC1).</summary>
    public string? ClientKey { get; init; }

    /// <summary>Check that the server's certificate names the host connected to (or <see cref="ServerHostName"/>).</summary>
    public bool VerifyHostName { get; init; } = true;

    /// <summary>The one name every server's certificate must carry, instead of the host of each connect-string entry.</summary>
    public string? ServerHostName { get; init; }

    public TlsMinimumVersion MinimumVersion { get; init; } = TlsMinimumVersion.Tls12;
}
