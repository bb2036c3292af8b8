using System.Collections.Immutable;
using Dashboard.Core.Ensemble;

namespace Dashboard.Core.Maintenance;

/// <summary>The checks run before a step touches a node: shown in the plan, and judged again before every step.</summary>
public static class MaintenanceChecks
{
    public static ImmutableArray<MaintenanceCheck> BeforeStep(EnsembleSnapshot snapshot, NodeAction action, int nodeId, IReadOnlyCollection<int> away)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(away);
        var target = snapshot.Nodes.FirstOrDefault(n => n.Id == nodeId);
        if (target is null)
            return [new(MaintenanceRules.NodeKnown, $"node {nodeId}", false, "is not among the polled nodes", "add the node, with its id, to the cluster's nodes")];

        if (action == NodeAction.Start)
        {
            // Bringing a node back only needs the rest to still work; the node itself is expected to be away.
            var analysis = snapshot.Analysis;
            return [analysis.HasQuorum
                ? new(MaintenanceRules.QuorumPresent, "ensemble", true, $"{analysis.VotersUp} of {analysis.Voters} voters serve with a leader")
                : new(MaintenanceRules.QuorumPresent, "ensemble", false, $"only {analysis.VotersUp} of {analysis.Voters} voters serve (quorum {analysis.QuorumSize}) or no leader",
                    "bring the other voters back first")];
        }
        return [.. EnsembleReadiness.Health(snapshot, away), QuorumKept(snapshot, target)];
    }

    /// <summary>Whether taking this one node down keeps a quorum of voters (observers never count).</summary>
    public static MaintenanceCheck QuorumKept(EnsembleSnapshot snapshot, NodeStatus target)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(target);
        var verdict = snapshot.Analysis.Nodes.FirstOrDefault(v => v.Address == target.Address);
        if (verdict is null)
            return new(MaintenanceRules.QuorumKept, EnsembleReadiness.Subject(target), false, "no quorum verdict for this node", "wait for the next poll");
        return verdict.CanTakeDown
            ? new(MaintenanceRules.QuorumKept, EnsembleReadiness.Subject(target), true, verdict.Reason)
            : new(MaintenanceRules.QuorumKept, EnsembleReadiness.Subject(target), false, verdict.Reason,
                $"bring the other voters back first: {snapshot.Analysis.QuorumSize} of {snapshot.Analysis.Voters} voters must serve while {target.Label} is away");
    }
}
