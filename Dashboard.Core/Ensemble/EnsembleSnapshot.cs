using System.Collections.Immutable;

namespace Dashboard.Core.Ensemble;

/// <summary>One poll of every node of a cluster, with its analysis and findings. Immutable: it flows from poller to store to UI.</summary>
public sealed record EnsembleSnapshot(
    string ClusterId,
    DateTimeOffset TakenAt,
    TimeSpan Duration,
    ImmutableArray<NodeStatus> Nodes,
    QuorumAnalysis Analysis,
    ImmutableArray<Finding> Findings)
{
    public NodeStatus? Leader => Nodes.FirstOrDefault(n => n.Role == NodeRole.Leader);

    public FindingSeverity? WorstSeverity => Findings.IsDefaultOrEmpty ? null : Findings.Max(f => f.Severity);
}
