using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Ensemble;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// The health rules maintenance enforces over one poll: every node serving, one leader, the leader's synced
/// follower and observer counts full. Nodes a run holds away on purpose (stopped for maintenance) are left out.
/// </summary>
public static class EnsembleReadiness
{
    public static ImmutableArray<MaintenanceCheck> Health(EnsembleSnapshot snapshot, IReadOnlyCollection<int> away)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(away);
        var checks = ImmutableArray.CreateBuilder<MaintenanceCheck>();
        var present = snapshot.Nodes.Where(n => n.Id is not { } id || !away.Contains(id)).ToList();
        var notServing = present.Where(n => !n.IsServing).ToList();
        foreach (var n in notServing)
            checks.Add(new(MaintenanceRules.NodesServing, Subject(n), false,
                n.Role == NodeRole.Down ? $"is down ({n.Error})" : $"answers but does not serve ({Word(n.Role)})",
                $"bring {n.Label} back until it answers srvr with a Mode line (leader, follower or observer)"));
        if (notServing.Count == 0)
            checks.Add(new(MaintenanceRules.NodesServing, "ensemble", true, $"all {present.Count} node(s) serve" + (away.Count > 0 ? $" ({away.Count} away for maintenance)" : "")));

        var leaders = snapshot.Nodes.Where(n => n.Role == NodeRole.Leader).ToList();
        checks.Add(leaders.Count switch
        {
            1 => new(MaintenanceRules.OneLeader, leaders[0].Label, true, $"{leaders[0].Label} leads"),
            0 => new(MaintenanceRules.OneLeader, "ensemble", false, "no node reports Mode: leader (an election is running or the voters cannot reach each other)",
                "wait for the election to end: one voter must lead"),
            _ => new(MaintenanceRules.OneLeader, string.Join(", ", leaders.Select(l => l.Label)), false, "several nodes report Mode: leader (a split membership)",
                "fix the server.N lines so every node has the same membership"),
        });

        if (leaders.Count == 1) checks.Add(Synced(snapshot, leaders[0], away));
        return checks.ToImmutable();
    }

    /// <summary>The leader counts every follower and observer that is present as synced.</summary>
    public static MaintenanceCheck Synced(EnsembleSnapshot snapshot, NodeStatus leader, IReadOnlyCollection<int> away)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(leader);
        ArgumentNullException.ThrowIfNull(away);
        var present = snapshot.Nodes.Where(n => n != leader && (n.Id is not { } id || !away.Contains(id))).ToList();
        var followers = present.Count(n => IsVoter(snapshot, n));
        var observers = present.Count - followers;
        if (leader.SyncedFollowers is not { } synced)
            return new(MaintenanceRules.FollowersSynced, leader.Label, true, "the leader does not report synced followers (mntr refused): not checked; allow mntr in 4lw.commands.whitelist");
        var syncedObservers = leader.SyncedObservers;
        var ok = synced >= followers && (syncedObservers is null || syncedObservers >= observers);
        var detail = $"the leader reports {synced} of {followers} follower(s)" + (syncedObservers is { } o ? $" and {o} of {observers} observer(s)" : "") + " in sync";
        return new(MaintenanceRules.FollowersSynced, leader.Label, ok, detail, ok ? null : "wait until every follower and observer has synced with the leader");
    }

    public static bool IsVoter(EnsembleSnapshot snapshot, NodeStatus node)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(node);
        return snapshot.Analysis.Nodes.FirstOrDefault(v => v.Address == node.Address)?.IsVoter ?? node.IsVoter != false;
    }

    public static string Subject(NodeStatus node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return $"{node.Label} ({node.Address})";
    }

    private static string Word(NodeRole role) => role.ToString().ToLower(CultureInfo.InvariantCulture);
}
