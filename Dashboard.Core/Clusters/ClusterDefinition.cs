using System.Collections.Immutable;
using System.Text;
using Dashboard.Core.Maintenance;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Core.Clusters;

public enum ClusterOrigin { Settings, Sandbox }

/// <summary>A cluster the dashboard watches, validated from settings or created by the sandbox.</summary>
public sealed record ClusterDefinition(string Id, string Name, string ConnectString, ClusterOrigin Origin)
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MinimumPollInterval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan DefaultNodeTimeout = TimeSpan.FromSeconds(1.5);

    /// <summary>The servers to poll; empty only while a sandbox is still starting.</summary>
    public ImmutableArray<NodeDefinition> Nodes { get; init; } = [];

    /// <summary>
    /// The nodes as the settings list them, kept once the dashboard follows a membership change (<see cref="Nodes"/>
    /// then holds the new membership); empty while <see cref="Nodes"/> are the settings' own.
    /// </summary>
    public ImmutableArray<NodeDefinition> SettingsNodes { get; init; } = [];

    /// <summary>N of <c>Dashboard:Clusters:N</c> for a cluster from the settings, to name the settings to update.</summary>
    public int? SettingsIndex { get; init; }
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;
    public TimeSpan NodeTimeout { get; init; } = DefaultNodeTimeout;
    public HealthThresholds Thresholds { get; init; } = new();
    public string? Digest { get; init; }

    /// <summary>Names the cluster only: the generated record text would print <see cref="Digest"/>'s password.</summary>
    public override string ToString() => $"cluster {Id} ({Name}, {ConnectString})";

    /// <summary>TLS to the client port, 4lw and AdminServer; null: plain.</summary>
    public ZooKeeperTls? Tls { get; init; }

    /// <summary>SASL credentials for every session with this cluster; null: none.</summary>
    public SaslCredentials? Sasl { get; init; }

    /// <summary>
    /// The client options for a session with this cluster: <paramref name="options"/> (or the defaults) with the
    /// cluster's TLS and SASL, so every part that opens a session (monitor, membership reader, znode browser, Kafka
    /// reads, maintenance checks) talks to it the same way.
    /// </summary>
    public ZooKeeperClientOptions ClientOptions(ZooKeeperClientOptions? options = null) =>
        (options ?? new ZooKeeperClientOptions()) with { Tls = Tls, Sasl = Sasl };
    public MaintenanceSettings Maintenance { get; init; } = MaintenanceSettings.Disabled;

    /// <summary>How a node is restarted: its own control, else the cluster's; null when none is configured.</summary>
    public NodeControlSettings? ControlFor(NodeDefinition node) => node?.Control ?? Maintenance.Control;

    /// <summary>The Kafka chroot ("" for the root); null: detected (<c>/brokers/ids</c> at the root or one level down).</summary>
    public string? KafkaChroot { get; init; }

    /// <summary>False when settings say <c>KafkaChroot: none</c>: the ensemble is not searched for Kafka.</summary>
    public bool WatchKafka { get; init; } = true;

    public const string NoKafka = "none";

    public static ClusterDefinition FromOptions(ClusterOptions options, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        var where = $"Dashboard:Clusters:{index}";
        if (string.IsNullOrWhiteSpace(options.Name))
            throw new ClusterConfigurationException($"{where} has no Name.");
        var hasSource = !string.IsNullOrWhiteSpace(options.ConnectString) || !string.IsNullOrWhiteSpace(options.ServerConfig)
                        || !string.IsNullOrWhiteSpace(options.ZkHosts) || options.Nodes.Count > 0;
        if (!hasSource)
            throw new ClusterConfigurationException($"{where} ('{options.Name}') has no ConnectString: give it as host:port[,host:port...][/chroot] (or ServerConfig, ZkHosts or Nodes).");
        var id = string.IsNullOrWhiteSpace(options.Id) ? Slug(options.Name) : options.Id.Trim();
        if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ClusterConfigurationException($"{where} has the id '{id}': use letters, digits, '-' and '_' only.");

        var poll = options.PollInterval ?? DefaultPollInterval;
        if (poll < MinimumPollInterval)
            throw new ClusterConfigurationException($"{where}:PollInterval is {poll.TotalMilliseconds:0} ms: use at least {MinimumPollInterval.TotalMilliseconds:0} ms (e.g. \"00:00:02\").");
        var timeout = options.NodeTimeout ?? (poll < DefaultNodeTimeout ? poll : DefaultNodeTimeout);
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMinutes(1))
            throw new ClusterConfigurationException($"{where}:NodeTimeout must be above zero and at most a minute (got {timeout}).");
        if (options.Digest is { Length: > 0 } digest && !digest.Contains(':', StringComparison.Ordinal))
            throw new ClusterConfigurationException($"{where}:Digest must be user:password.");

        ImmutableArray<NodeDefinition> nodes;
        try
        {
            nodes = [.. ReadNodes(options, where)];
        }
        catch (EnsembleImportException e)
        {
            throw new ClusterConfigurationException($"{where} ('{options.Name}'): {e.Message}", e);
        }
        var connect = string.IsNullOrWhiteSpace(options.ConnectString) ? string.Join(',', nodes.Select(n => n.Address)) : options.ConnectString.Trim();
        return new ClusterDefinition(id, options.Name.Trim(), connect, ClusterOrigin.Settings)
        {
            Nodes = nodes,
            SettingsIndex = index,
            PollInterval = poll,
            NodeTimeout = timeout,
            Thresholds = options.Thresholds ?? new HealthThresholds(),
            Digest = string.IsNullOrEmpty(options.Digest) ? null : options.Digest,
            Tls = options.Tls?.Load($"{where}:Tls"),
            Sasl = options.Sasl?.Load($"{where}:Sasl"),
            Maintenance = options.Maintenance?.ToSettings($"{where}:Maintenance") ?? MaintenanceSettings.Disabled,
            KafkaChroot = options.KafkaChroot is { } chroot && !IsNoKafka(chroot) ? Kafka.KafkaPaths.NormalizeChroot(chroot) : null,
            WatchKafka = options.KafkaChroot is null || !IsNoKafka(options.KafkaChroot),
        };
    }

    private static bool IsNoKafka(string chroot) => chroot.Trim().Equals(NoKafka, StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<NodeDefinition> ReadNodes(ClusterOptions options, string where)
    {
        IEnumerable<NodeDefinition> nodes;
        if (options.Nodes.Count > 0)
        {
            nodes = options.Nodes.Select((n, i) =>
            {
                if (string.IsNullOrWhiteSpace(n.Address)) throw new ClusterConfigurationException($"{where}:Nodes:{i} has no Address (host:port).");
                Uri? admin = null;
                if (n.AdminUrl is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out admin) || admin.Scheme is not ("http" or "https")))
                    throw new ClusterConfigurationException($"{where}:Nodes:{i}:AdminUrl '{url}' is not an http(s) URL such as http://zk1:8080/commands.");
                return EnsembleImport.ParseHostPort(n.Address, options.ClientPort, null) with
                {
                    Id = n.Id, IsObserver = n.Observer, AdminUri = admin, Datacenter = n.Datacenter ?? options.Datacenter,
                    Control = n.Control?.ToSettings($"{where}:Nodes:{i}:Control"),
                };
            }).ToList();
        }
        else if (!string.IsNullOrWhiteSpace(options.ServerConfig))
            nodes = EnsembleImport.FromServerConfig(options.ServerConfig);
        else if (!string.IsNullOrWhiteSpace(options.ZkHosts))
            nodes = EnsembleImport.FromZkHosts(options.ZkHosts, options.ZkClientHosts, options.ClientPort, options.Datacenter ?? "local");
        else
            nodes = EnsembleImport.FromConnectString(options.ConnectString);

        return nodes.Select(n => n with
        {
            Datacenter = n.Datacenter ?? options.Datacenter,
            // Only a real host name or IP literal goes into a URL: anything else could add a user, path or query.
            AdminUri = n.AdminUri ?? (options.AdminPort > 0 && NodeArgumentCheck.HostProblem(n.Host) is null ? new Uri($"http://{(n.Host.Contains(':', StringComparison.Ordinal) ? $"[{n.Host}]" : n.Host)}:{options.AdminPort}/commands") : null),
        });
    }

    public static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
        }
        return slug.ToString().Trim('-');
    }
}
