using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Maintenance.Kafka;

/// <summary>
/// Acts on the sandbox's imitated brokers: a controlled shutdown (as SIGTERM does: leadership moves off, the broker
/// leaves the ISRs, then its session ends) and a start with the same id, which registers with a new epoch.
/// </summary>
public sealed class SandboxBrokerControl(SandboxKafkaCluster kafka) : INodeControl
{
    public NodeControlKind Kind => NodeControlKind.Sandbox;

    public string Describe(NodeAction action, NodeDefinition node) => action switch
    {
        NodeAction.Restart => $"controlled shutdown of sandbox {Label(node)}, then start it again",
        NodeAction.Stop => $"controlled shutdown of sandbox {Label(node)}",
        _ => $"start sandbox {Label(node)}",
    };

    public async Task<NodeControlResult> RunAsync(NodeAction action, NodeDefinition node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Id is not { } id) return NodeControlResult.Failed($"{node} has no broker id.");
        try
        {
            var controlled = true;
            if (action is NodeAction.Restart or NodeAction.Stop) controlled = await kafka.StopBrokerAsync(id, cancellationToken).ConfigureAwait(false);
            if (action is NodeAction.Restart or NodeAction.Start) await kafka.StartBrokerAsync(id, cancellationToken).ConfigureAwait(false);
            return NodeControlResult.Done(Describe(action, node) + ": done" + (controlled ? "" : " (no controller ran the controlled shutdown: the broker just left)"));
        }
        catch (Exception e) when (e is InvalidOperationException or ZooKeeperException or TimeoutException or ObjectDisposedException)
        {
            return NodeControlResult.Failed($"{Describe(action, node)} failed: {e.Message}");
        }
    }

    private static string Label(NodeDefinition node) => node.Id is { } id ? $"broker {id}" : node.Address;
}
