using Dashboard.Core.Clusters;
using Dashboard.Core.Sandbox;

namespace Dashboard.Core.Maintenance;

/// <summary>Acts on the sandbox's own ZooKeeper processes: an orderly stop (SIGTERM), then a start with the same id and ports.</summary>
public sealed class SandboxNodeControl(ZooKeeperSandbox sandbox) : INodeControl
{
    public NodeControlKind Kind => NodeControlKind.Sandbox;

    public string Describe(NodeAction action, NodeDefinition node) => action switch
    {
        NodeAction.Restart => $"stop sandbox {Label(node)} (SIGTERM) and start it again",
        NodeAction.Stop => $"stop sandbox {Label(node)} (SIGTERM)",
        _ => $"start sandbox {Label(node)}",
    };

    public async Task<NodeControlResult> RunAsync(NodeAction action, NodeDefinition node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Id is not { } id) return NodeControlResult.Failed($"{node} has no id: the sandbox knows its nodes by id.");
        try
        {
            if (action is NodeAction.Restart or NodeAction.Stop) await sandbox.StopNodeAsync(id).ConfigureAwait(false);
            if (action is NodeAction.Restart or NodeAction.Start) await sandbox.StartNodeAsync(id).ConfigureAwait(false);
            return NodeControlResult.Done(Describe(action, node) + ": done");
        }
        catch (Exception e) when (e is SandboxException or ObjectDisposedException)
        {
            return NodeControlResult.Failed($"{Describe(action, node)} failed: {e.Message}");
        }
    }

    private static string Label(NodeDefinition node) => node.Id is { } id ? $"node {id}" : node.Address;
}
