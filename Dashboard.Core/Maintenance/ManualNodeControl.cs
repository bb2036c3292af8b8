using Dashboard.Core.Clusters;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Nothing is run: the step tells the operator exactly what to do on which host, and the run then waits, verifying
/// from the ensemble that the node went away and came back (or went away, for a stop).
/// </summary>
public sealed class ManualNodeControl : INodeControl
{
    public NodeControlKind Kind => NodeControlKind.Manual;

    public string Describe(NodeAction action, NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (NodeArgumentCheck.Problem(this, action, node) is { } problem) return "not done: " + problem;
        var what = action switch
        {
            NodeAction.Restart => "restart the ZooKeeper server",
            NodeAction.Stop => "stop the ZooKeeper server",
            _ => "start the ZooKeeper server",
        };
        return $"by hand on {node.Host}: {what} of {node} (e.g. 'sudo systemctl {action.ToString().ToLowerInvariant()} zookeeper'); the run waits and verifies";
    }

    public Task<NodeControlResult> RunAsync(NodeAction action, NodeDefinition node, CancellationToken cancellationToken) =>
        Task.FromResult(NodeArgumentCheck.Problem(this, action, node) is { } problem
            ? NodeControlResult.Failed(NodeArgumentCheck.Refusal(node, problem))
            : new NodeControlResult(true, "Operator: " + Describe(action, node)) { NeedsOperator = true });
}
