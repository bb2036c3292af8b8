namespace Dashboard.Core.Sandbox;

/// <summary>How large a sandbox ensemble is and how it is run.</summary>
public sealed record SandboxOptions
{
    public int Voters { get; init; } = 3;
    public int Observers { get; init; } = 1;

    /// <summary>ZooKeeper's tick; session timeouts may range from 2 to 20 ticks. Short here so tests see expiry quickly.</summary>
    public TimeSpan TickTime { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Timeout of each <c>srvr</c> the sandbox sends while waiting for nodes.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Parent of the sandbox folders; stale ones found here are swept at start.</summary>
    public string RootDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "zk-sandbox");

    public string? ZooKeeperHome { get; init; }

    /// <summary>Extra <c>zoo.cfg</c> lines, e.g. <c>jute.maxbuffer</c>-style settings a test needs.</summary>
    public IReadOnlyDictionary<string, string> ExtraConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra JVM system properties (<c>-Dkey=value</c>).</summary>
    public IReadOnlyDictionary<string, string> JvmProperties { get; init; } = new Dictionary<string, string>();

    public string JvmHeap { get; init; } = "192m";

    /// <summary>
    /// The JVM's quick-start JIT (C1 only): nodes start faster on a loaded machine. Off gives the full JIT a server
    /// in production runs with, for benchmarks where the server's own speed (e.g. its TLS) is part of what is measured.
    /// </summary>
    public bool QuickStartJit { get; init; } = true;

    /// <summary>TLS on a secure client port per node (and HTTPS on the AdminServer), with a CA made at start; null: none.</summary>
    public SandboxTlsOptions? Tls { get; init; }

    /// <summary>
    /// SASL DIGEST-MD5 users (name to password) in a JAAS <c>Server</c> section with ZooKeeper's DigestLoginModule,
    /// and the SASL authentication provider, so <c>sasl:</c> ACLs apply; null: no SASL.
    /// </summary>
    public IReadOnlyDictionary<string, string>? SaslUsers { get; init; }

    /// <summary>
    /// Kerberos: a local KDC started with the sandbox, the servers logging in as <c>zookeeper/localhost@REALM</c>
    /// from a keytab (JAAS Krb5LoginModule) with the SASL authentication provider; null: none. Not with <see cref="SaslUsers"/>:
    /// a server's JAAS login is either Kerberos or DIGEST-MD5.
    /// </summary>
    public SandboxKerberosOptions? Kerberos { get; init; }

    internal void Validate()
    {
        if (Kerberos is not null && SaslUsers is not null) throw new SandboxException("A sandbox runs SASL with either DIGEST-MD5 users or Kerberos, not both (a server's JAAS login is one or the other).");
        if (Voters < 1) throw new SandboxException($"A sandbox needs at least one voter (got {Voters}).");
        if (Observers < 0) throw new SandboxException($"The number of observers cannot be negative (got {Observers}).");
        if (Voters + Observers > 15) throw new SandboxException($"A sandbox of {Voters + Observers} nodes is more than this machine should run (15 at most).");
        if (TickTime < TimeSpan.FromMilliseconds(50)) throw new SandboxException("TickTime below 50 ms makes ZooKeeper unstable.");
    }
}
