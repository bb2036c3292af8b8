using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Core.ZooKeeper;

/// <summary>How a <see cref="ZooKeeperClient"/> talks to the ensemble.</summary>
public sealed record ZooKeeperClientOptions
{
    /// <summary>
    /// Default frame limit: ZooKeeper's <c>jute.maxbuffer</c> default (1 MB less one byte), the largest record a
    /// default server accepts; raise it together with the server's <c>jute.maxbuffer</c>.
    /// </summary>
    public const int DefaultMaxFrameSize = 0xfffff;

    /// <summary>Session timeout asked for; the server clamps it to 2..20 ticks.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long each call may take, including waiting for a free in-flight slot.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one TCP connect plus handshake may take before the next host is tried.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Requests sent but unanswered at most; callers beyond that wait for a slot.</summary>
    public int MaxInFlight { get; init; } = 1000;

    /// <summary>Largest frame accepted from (and sent to) the server; a longer one is a protocol error.</summary>
    public int MaxFrameSize { get; init; } = DefaultMaxFrameSize;

    /// <summary>Cap on the pause between rounds of reconnect attempts.</summary>
    public TimeSpan MaxReconnectBackoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Start with a random host (spreads clients as the Java client does); off keeps the written order.</summary>
    public bool ShuffleHosts { get; init; } = true;

    /// <summary>TLS on every connection (the servers' <c>secureClientPort</c>); null: plain TCP.</summary>
    public ZooKeeperTls? Tls { get; init; }

    /// <summary>SASL in the session handshake, redone on every reconnect; null: none.</summary>
    public SaslCredentials? Sasl { get; init; }

    internal void Validate()
    {
        if (SessionTimeout <= TimeSpan.Zero) throw new ArgumentException("SessionTimeout must be positive.");
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException("RequestTimeout must be positive.");
        if (ConnectTimeout <= TimeSpan.Zero) throw new ArgumentException("ConnectTimeout must be positive.");
        if (MaxInFlight < 1) throw new ArgumentException("MaxInFlight must be at least 1.");
        if (MaxFrameSize < 1024) throw new ArgumentException("MaxFrameSize below 1 KB cannot carry a session's replies.");
    }
}
