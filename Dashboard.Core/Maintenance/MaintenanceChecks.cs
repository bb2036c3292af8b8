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
            // Starting a node takes no voter away, so it is never refused for the ensemble's state: with the quorum
            // lost it is the way back. The verdict is shown so the operator knows what the start has to repair.
            var analysis = snapshot.Analysis;
            return [new(MaintenanceRules.QuorumPresent, "ensemble", true, analysis.HasQuorum
                ? $"{analysis.VotersUp} of {analysis.Voters} voters serve with a leader"
                : $"only {analysis.VotersUp} of {analysis.Voters} voters serve (quorum {analysis.QuorumSize}) or no leader: starting {target.Label} may restore it")];
        }
        return [.. EnsembleReadiness.Health(snapshot, away), QuorumKept(snapshot, target)];
    }

    /// <summary>What the operator types to roll brokers anyway while the ensemble cannot lose a voter.</summary>
    public const string ZooKeeperRiskWord = "accept";

    /// <summary>
    /// Broker restarts make session and watch storms (every broker's session moves, its ephemerals and watches are
    /// re-created) that an ensemble with no voter to spare may not survive: refused unless the operator typed the
    /// acknowledgement.
    /// </summary>
    public static MaintenanceCheck ZooKeeperCanLoseVoter(EnsembleSnapshot snapshot, bool accepted)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var analysis = snapshot.Analysis;
        if (analysis.HasQuorum && analysis.FailuresTolerated >= 1)
            return new(MaintenanceRules.ZooKeeperCanLoseVoter, "ensemble", true, $"{analysis.VotersUp} of {analysis.Voters} voters serve: {analysis.FailuresTolerated} more may fail");
        var detail = analysis.HasQuorum
            ? $"{analysis.VotersUp} of {analysis.Voters} voters serve (quorum {analysis.QuorumSize}): the ensemble cannot lose a voter, and broker restarts load it with session and watch storms"
            : $"the ensemble has no quorum ({analysis.VotersUp} of {analysis.Voters} voters serve, quorum {analysis.QuorumSize})";
        return accepted && analysis.HasQuorum
            ? new(MaintenanceRules.ZooKeeperCanLoseVoter, "ensemble", true, detail + "; the operator accepted the risk")
            : new(MaintenanceRules.ZooKeeperCanLoseVoter, "ensemble", false, detail,
                analysis.HasQuorum ? $"bring the ZooKeeper voters back first, or type '{ZooKeeperRiskWord}' to roll the brokers anyway" : "bring the ZooKeeper voters back first");
    }

    /// <summary>A start is for a node that is down: one that serves is refused (there is nothing to start).</summary>
    public static MaintenanceCheck NodeDown(NodeStatus target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.IsServing
            ? new(MaintenanceRules.NodeDown, EnsembleReadiness.Subject(target), false, $"already serves as {target.Role.ToString().ToLowerInvariant()}",
                "choose a node that is down, or restart this one instead")
            : new(MaintenanceRules.NodeDown, EnsembleReadiness.Subject(target), true,
                target.Role == NodeRole.Down ? $"is down ({target.Error})" : $"answers but does not serve ({target.Role.ToString().ToLowerInvariant()})");
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
