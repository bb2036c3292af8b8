namespace Dashboard.Hosting;

/// <summary>The <c>Sandbox</c> settings section, read when the dashboard runs with <c>--sandbox</c>.</summary>
internal sealed class SandboxSettings
{
    public int Voters { get; set; } = 3;
    public int Observers { get; set; } = 1;
    public string? ZooKeeperHome { get; set; }

    /// <summary>How often the sandbox ensemble is polled; the cluster default when absent.</summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>Run 3 sandbox Kafka brokers (metadata only) with a few topics on the sandbox ensemble.</summary>
    public bool KafkaBrokers { get; set; } = true;

    /// <summary>TLS on secure client ports (CA and keystores made at start); the dashboard watches those ports.</summary>
    public bool Tls { get; set; }

    /// <summary>SASL DIGEST-MD5 with a JAAS user made at start (random password, never printed); the dashboard authenticates as it.</summary>
    public bool Sasl { get; set; }

    /// <summary>Kerberos: a local KDC started with the sandbox (Debian's krb5-kdc); the dashboard authenticates as dashboard@ZK.SANDBOX from its keytab.</summary>
    public bool Kerberos { get; set; }
}
