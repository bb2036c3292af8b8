using Dashboard.Core.Clusters;

namespace Dashboard.Core.Maintenance;

/// <summary>What a maintenance step does to a node.</summary>
public enum NodeAction
{
    Restart,
    Stop,
    Start,

    /// <summary>Not a node action: the broker roll's optional last step, a preferred leader election for the cluster (no node control is used).</summary>
    PreferredElection,
}

/// <summary>
/// How an action ended. <see cref="Succeeded"/> says only that the action itself worked (the command exited 0, the
/// container answered 204); whether the node really went and came back is verified by the run from the ensemble.
/// </summary>
public sealed record NodeControlResult(bool Succeeded, string Summary)
{
    /// <summary>Captured output of a command (bounded), for the run log.</summary>
    public string? Output { get; init; }

    /// <summary>A person must act: the summary says what to do on which host; the run then waits and verifies.</summary>
    public bool NeedsOperator { get; init; }

    public static NodeControlResult Done(string summary, string? output = null) => new(true, summary) { Output = output };
    public static NodeControlResult Failed(string summary, string? output = null) => new(false, summary) { Output = output };
}

/// <summary>Stops, starts or restarts one node. Never throws for the node's own failure: that is a failed result.</summary>
public interface INodeControl
{
    NodeControlKind Kind { get; }

    /// <summary>What the action will do, shown in the plan before anything is touched.</summary>
    string Describe(NodeAction action, NodeDefinition node);

    Task<NodeControlResult> RunAsync(NodeAction action, NodeDefinition node, CancellationToken cancellationToken);
}

/// <summary>Fills the <c>{host}</c>, <c>{port}</c> and <c>{id}</c> placeholders of a command argument or container name.</summary>
public static class NodePlaceholders
{
    public static string Fill(string template, NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(node);
        return template
            .Replace("{host}", node.Host, StringComparison.Ordinal)
            .Replace("{port}", node.ClientPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{id}", node.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", StringComparison.Ordinal);
    }
}
