using System.Collections.Concurrent;
using Dashboard.Core.Clusters;
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
    private readonly ManualNodeControl _manual = new();

    public void RegisterSandbox(string clusterId, ZooKeeperSandbox sandbox) => _sandboxes[clusterId] = sandbox;

    public void UnregisterSandbox(string clusterId) => _sandboxes.TryRemove(clusterId, out _);

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
            case NodeControlKind.Command:
                return new CommandNodeControl(settings);
            case NodeControlKind.Docker:
                return _docker.GetOrAdd((settings.DockerSocket, settings.ActionTimeout, settings.Container), _ => new DockerNodeControl(settings));
            default:
                return _manual;
        }
    }

    public void Dispose()
    {
        foreach (var control in _docker.Values) control.Dispose();
        _docker.Clear();
    }
}
