using System.Collections.Immutable;
using System.Text.Json.Serialization;

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
    /// <summary>The replica that polled it, among replicas sharing a database; null for one dashboard (and left out of its JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PolledBy { get; init; }

    public NodeStatus? Leader => Nodes.FirstOrDefault(n => n.Role == NodeRole.Leader);

    public FindingSeverity? WorstSeverity => Findings.IsDefaultOrEmpty ? null : Findings.Max(f => f.Severity);
}
