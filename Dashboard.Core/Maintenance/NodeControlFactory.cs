using System.Collections.Concurrent;
using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Core.Maintenance.Kafka;
using Dashboard.Core.Sandbox;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// The control of each node, from its settings. Sandbox control needs the running sandbox of that cluster, which the
/// host registers once it has started. Docker controls are kept (each holds an HttpClient on the socket).
/// </summary>
public sealed class NodeControlFactory : IDisposable
{
    private readonly ConcurrentDictionary<string, ZooKeeperSandbox> _sandboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Socket, TimeSpan Timeout, string? Container), DockerNodeControl> _docker = new();
    private readonly ConcurrentDictionary<string, SandboxKafkaCluster> _kafka = new(StringComparer.Ordinal);
    private readonly ManualNodeControl _manual = new();

    public void RegisterSandbox(string clusterId, ZooKeeperSandbox sandbox) => _sandboxes[clusterId] = sandbox;

    public void UnregisterSandbox(string clusterId) => _sandboxes.TryRemove(clusterId, out _);

    /// <summary>The sandbox brokers of a cluster, for sandbox broker control.</summary>
    public void RegisterSandboxKafka(string clusterId, SandboxKafkaCluster kafka) => _kafka[clusterId] = kafka;

    public void UnregisterSandboxKafka(string clusterId) => _kafka.TryRemove(clusterId, out _);

    /// <summary>A Kafka broker's control, from <c>Maintenance:BrokerControl</c>, or null (with the reason).</summary>
    public INodeControl? ForBroker(ClusterDefinition cluster, NodeDefinition broker, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(broker);
        problem = null;
        var settings = cluster.Maintenance.BrokerControl;
        switch (settings?.Kind)
        {
            case null:
                problem = $"no broker control is configured for cluster '{cluster.Id}': set Dashboard:Clusters:N:Maintenance:BrokerControl";
                return null;
            case NodeControlKind.Sandbox when _kafka.TryGetValue(cluster.Id, out var kafka):
                return new SandboxBrokerControl(kafka);
            case NodeControlKind.Sandbox:
                problem = $"cluster '{cluster.Id}' uses sandbox broker control but no sandbox brokers of that id are running";
                return null;
            default:
                return Shared(settings);
        }
    }

    /// <summary>The node's control, or null (with the reason) when it has none that can work now.</summary>
    public INodeControl? For(ClusterDefinition cluster, NodeDefinition node, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(node);
        problem = null;
        var settings = cluster.ControlFor(node);
        switch (settings?.Kind)
        {
            case null:
                problem = $"no node control is configured for {node}: set Dashboard:Clusters:N:Maintenance:Control (or the node's Control)";
                return null;
            case NodeControlKind.Sandbox when _sandboxes.TryGetValue(cluster.Id, out var sandbox):
                return new SandboxNodeControl(sandbox);
            case NodeControlKind.Sandbox:
                problem = $"cluster '{cluster.Id}' uses sandbox control but no sandbox of that id is running";
                return null;
            default:
                return Shared(settings);
        }
    }

    /// <summary>Command, Docker and Manual controls work the same for ZooKeeper nodes and Kafka brokers.</summary>
    private INodeControl Shared(NodeControlSettings settings) => settings.Kind switch
    {
        NodeControlKind.Command => new CommandNodeControl(settings),
        NodeControlKind.Docker => _docker.GetOrAdd((settings.DockerSocket, settings.ActionTimeout, settings.Container), _ => new DockerNodeControl(settings)),
        _ => _manual,
    };

    public void Dispose()
    {
        foreach (var control in _docker.Values) control.Dispose();
        _docker.Clear();
    }
}
