using Dashboard.Core.Maintenance;

namespace Dashboard.Core.Clusters;

/// <summary>
/// One configured cluster, as written under <c>Dashboard:Clusters</c> in settings (or environment variables such as
/// <c>Dashboard__Clusters__0__ConnectString</c>). The nodes come from, in this order of preference: <see cref="Nodes"/>,
/// <see cref="ServerConfig"/>, <see cref="ZkHosts"/>, <see cref="ConnectString"/>.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>Stable id used in URLs; derived from the name when absent.</summary>
    public string? Id { get; set; }
    public string Name { get; set; } = "";

    /// <summary>ZooKeeper connect string, e.g. <c>zk1:2181,zk2:2181,zk3:2181/chroot</c>.</summary>
    public string ConnectString { get; set; } = "";

    /// <summary><c>server.N=</c> lines from <c>zoo.cfg</c> or a dynamic config file.</summary>
    public string? ServerConfig { get; set; }

    /// <summary>The deployment form <c>10.0.0.1 10.0.0.2 10.0.1.7:observer</c>.</summary>
    public string? ZkHosts { get; set; }

    /// <summary>The hosts one datacenter's clients use; those nodes get <see cref="Datacenter"/> as their label.</summary>
    public string? ZkClientHosts { get; set; }

    /// <summary>Label of this cluster's nodes (or of the <see cref="ZkClientHosts"/> ones) when a node gives none.</summary>
    public string? Datacenter { get; set; }

    /// <summary>Client port for sources that give none (ZkHosts, connect-string hosts without a port).</summary>
    public int ClientPort { get; set; } = EnsembleImport.DefaultClientPort;

    /// <summary>AdminServer port on every node (0: not used unless a node gives its own URL).</summary>
    public int AdminPort { get; set; }

    public List<NodeOptions> Nodes { get; set; } = [];

    /// <summary>Time between polls; default 2 s, at least 250 ms.</summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>How long one node may take to answer a poll before it is reported down.</summary>
    public TimeSpan? NodeTimeout { get; set; }

    /// <summary>Digest credentials <c>user:password</c> for the ZooKeeper client (never shown or served by the API).</summary>
    public string? Digest { get; set; }

    public HealthThresholds? Thresholds { get; set; }

    /// <summary>TLS to the servers' secure client port (and HTTPS to their AdminServers); absent: plain TCP.</summary>
    public ClusterTlsOptions? Tls { get; set; }

    /// <summary>SASL authentication in the session handshake; absent: none.</summary>
    public ClusterSaslOptions? Sasl { get; set; }

    /// <summary>Controlled node maintenance: off unless enabled, with how nodes are restarted.</summary>
    public MaintenanceOptions? Maintenance { get; set; }
    /// <summary>Where Kafka keeps its metadata in this ensemble (<c>/</c> or e.g. <c>/kafka</c>); absent: detected; <c>none</c>: not watched.</summary>
    public string? KafkaChroot { get; set; }
}

/// <summary>One node under <c>Dashboard:Clusters:N:Nodes</c>.</summary>
public sealed class NodeOptions
{
    /// <summary>host:port of the client port; IPv6 as <c>[addr]:port</c>.</summary>
    public string Address { get; set; } = "";
    public int? Id { get; set; }
    public bool? Observer { get; set; }
    public string? AdminUrl { get; set; }
    public string? Datacenter { get; set; }

    /// <summary>How this node is restarted, when it differs from the cluster's <c>Maintenance:Control</c>.</summary>
    public NodeControlOptions? Control { get; set; }
}
