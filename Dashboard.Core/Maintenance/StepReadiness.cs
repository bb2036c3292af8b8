using Dashboard.Core.Ensemble;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// What a step still waits for in one poll; empty when the node is where the step wants it. The executor adds the
/// settle period on top (conditions must hold continuously).
/// </summary>
public static class StepReadiness
{
    public static List<string> Unmet(EnsembleSnapshot snapshot, MaintenanceStep step, IReadOnlyCollection<int> away, bool wentAway)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(away);
        var unmet = new List<string>();
        var node = snapshot.Nodes.FirstOrDefault(n => n.Id == step.NodeId);
        if (node is null)
        {
            unmet.Add($"{step.Node} is not among the polled nodes");
            return unmet;
        }
        if (step.Action == NodeAction.Stop)
        {
            if (node.IsServing) unmet.Add($"{step.Node} still serves ({node.Role.ToString().ToLowerInvariant()})");
            unmet.AddRange(Failures(snapshot, [.. away, step.NodeId]));
            return unmet;
        }

        if (!wentAway) unmet.Add($"{step.Node} has not been seen to restart yet (it never stopped answering and its uptime did not restart)");
        if (!node.IsServing) unmet.Add($"{step.Node} does not serve yet ({(node.Role == NodeRole.Down ? node.Error : node.Role.ToString().ToLowerInvariant())})");
        else if (step.IsObserver ? node.Role != NodeRole.Observer : node.Role is not (NodeRole.Leader or NodeRole.Follower))
            unmet.Add($"{step.Node} serves as {node.Role.ToString().ToLowerInvariant()}, expected {(step.IsObserver ? "observer" : "follower or leader")}");
        if (MustReach(step) is { } before && (node.Zxid is not { } z || z.Value < before))
            unmet.Add($"{step.Node}'s zxid {node.Zxid?.ToString() ?? "(unknown)"} has not reached {new Zxid(before)} yet");
        unmet.AddRange(Failures(snapshot, away));
        return unmet;
    }

    /// <summary>
    /// The zxid a node must reach to have every transaction the leader had before the step, or null when there is
    /// none to compare. After an election the leader reports its new epoch's start (counter 0) until the first
    /// write, while followers of an idle ensemble keep reporting the old epoch's last transaction: that zxid would
    /// never be reached. In that case no transaction exists in the new epoch, so the node has them all exactly when
    /// it has synced with the leader, which the leader's own count says (zk_synced_followers / zk_synced_observers,
    /// judged in <see cref="EnsembleReadiness.Synced"/> with every step). We read rather than write a znode of our
    /// own: it needs no session, no ACL and no write permission, and it changes nothing on the ensemble.
    /// </summary>
    public static long? MustReach(MaintenanceStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.ZxidBefore is { } before && new Zxid(before).Counter != 0 ? before : null;
    }

    /// <summary>Whether a restarted node has shown it really went away: seen not serving, or its uptime began after the action.</summary>
    public static bool ShowsRestart(NodeStatus? node, TimeSpan sinceActionStarted)
    {
        if (node is null || !node.IsServing) return true;
        return node.Uptime is { } uptime && uptime < sinceActionStarted;
    }

    private static IEnumerable<string> Failures(EnsembleSnapshot snapshot, IReadOnlyCollection<int> away) =>
        EnsembleReadiness.Health(snapshot, away).Where(c => !c.Passed).Select(c => $"{c.Rule}: {c.Subject} {c.Detail}");
}
