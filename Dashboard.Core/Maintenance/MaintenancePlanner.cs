using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Turns a request and the current poll into a plan: observers first, then followers, the leader last (each leader
/// restart forces an election, so there is only one). One node at a time; every check judged now.
/// </summary>
public static class MaintenancePlanner
{
    public delegate INodeControl? ControlLookup(NodeDefinition node, out string? problem);

    public static MaintenancePlan Plan(ClusterDefinition cluster, EnsembleSnapshot snapshot, MaintenanceRequest request, ControlLookup controls, MaintenanceRun? activeRun)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(controls);
        var checks = ImmutableArray.CreateBuilder<MaintenanceCheck>();
        checks.AddRange(ClusterChecks(cluster, activeRun));

        var targets = Targets(snapshot, request, checks);
        var starting = request.Operation == MaintenanceOperation.Start;
        // Starting a node takes nothing away, so it needs no healthy ensemble: it is how a degraded one recovers.
        if (!starting) checks.AddRange(EnsembleReadiness.Health(snapshot, []));
        var steps = ImmutableArray.CreateBuilder<PlannedStep>();
        foreach (var node in targets)
        {
            checks.Add(starting ? MaintenanceChecks.NodeDown(node) : MaintenanceChecks.QuorumKept(snapshot, node));
            var definition = DefinitionOf(cluster, node);
            var control = controls(definition, out var problem);
            checks.Add(control is null
                ? new(MaintenanceRules.NodeControl, EnsembleReadiness.Subject(node), false, problem ?? "no node control", "configure Maintenance:Control for this cluster or node")
                : new(MaintenanceRules.NodeControl, EnsembleReadiness.Subject(node), true, $"{control.Kind.ToString().ToLowerInvariant()} control"));
            var actions = request.Operation switch
            {
                MaintenanceOperation.Stop => new[] { NodeAction.Stop, NodeAction.Start },
                MaintenanceOperation.Start => [NodeAction.Start],
                _ => [NodeAction.Restart],
            };
            if (control is not null) checks.Add(NodeArgumentCheck.PlanCheck(EnsembleReadiness.Subject(node), control, actions, definition));
            foreach (var action in actions)
                steps.Add(Step(steps.Count, action, node, EnsembleReadiness.IsVoter(snapshot, node), control?.Describe(action, definition) ?? "(no control)", cluster.Maintenance, snapshot));
        }
        return new MaintenancePlan(cluster.Id, cluster.Name, request.Operation, steps.ToImmutable(), checks.ToImmutable(), snapshot.TakenAt);
    }

    /// <summary>Checks about the cluster itself, for every operation: maintenance enabled, no other run holding it.</summary>
    public static ImmutableArray<MaintenanceCheck> ClusterChecks(ClusterDefinition cluster, MaintenanceRun? activeRun)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var checks = ImmutableArray.CreateBuilder<MaintenanceCheck>();
        checks.Add(cluster.Maintenance.Enabled
            ? new(MaintenanceRules.Enabled, cluster.Id, true, "maintenance is enabled for this cluster")
            : new(MaintenanceRules.Enabled, cluster.Id, false, "maintenance is off for this cluster",
                $"set Dashboard:Clusters:N:Maintenance:Enabled=true and its Control (sandbox, command, docker or manual)"));
        checks.Add(activeRun is null
            ? new(MaintenanceRules.OneRunPerCluster, cluster.Id, true, "no other maintenance run on this cluster")
            : new(MaintenanceRules.OneRunPerCluster, cluster.Id, false, $"run {activeRun.Id} ({MaintenanceOperations.Name(activeRun.Operation)}, {RunStates.Name(activeRun.State)}) holds this cluster",
                $"finish or abort run {activeRun.Id} first"));

        return checks.ToImmutable();
    }

    /// <summary>The node's definition from the settings, else from what the poll learned (connect-string clusters).</summary>
    public static NodeDefinition DefinitionOf(ClusterDefinition cluster, NodeStatus node)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(node);
        var configured = cluster.Nodes.FirstOrDefault(n => n.Id is { } id && id == node.Id) ?? cluster.Nodes.FirstOrDefault(n => n.Address == node.Address);
        return configured is not null
            ? configured with { Id = configured.Id ?? node.Id }
            : new NodeDefinition(node.Host, node.ClientPort) { Id = node.Id, Datacenter = node.Datacenter };
    }

    /// <summary>Observers, then followers, by id; the leader last.</summary>
    public static IEnumerable<NodeStatus> InRollingOrder(EnsembleSnapshot snapshot, IEnumerable<NodeStatus> nodes)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return nodes.OrderBy(n => n.Role == NodeRole.Leader ? 2 : EnsembleReadiness.IsVoter(snapshot, n) ? 1 : 0).ThenBy(n => n.Id);
    }

    private static List<NodeStatus> Targets(EnsembleSnapshot snapshot, MaintenanceRequest request, ImmutableArray<MaintenanceCheck>.Builder checks)
    {
        var unnamed = snapshot.Nodes.Where(n => n.Id is null).ToList();
        foreach (var n in unnamed.Where(_ => request.Operation == MaintenanceOperation.RollingRestart))
            checks.Add(new(MaintenanceRules.NodeKnown, n.Address, false, "its server id is unknown (it has not answered conf yet, and the settings give none)",
                "give the node's Id in the settings, or wait until it answers"));
        if (request.Operation == MaintenanceOperation.RollingRestart)
            return [.. InRollingOrder(snapshot, snapshot.Nodes.Where(n => n.Id is not null))];

        var wanted = request.NodeIds.IsDefault ? [] : request.NodeIds.Distinct().ToList();
        if (wanted.Count == 0)
            checks.Add(new(MaintenanceRules.NodeKnown, "request", false, "no node was chosen", "choose the node(s) to act on"));
        if (request.Operation is MaintenanceOperation.Stop or MaintenanceOperation.Start && wanted.Count > 1)
            checks.Add(new(MaintenanceRules.NodeKnown, "request", false, $"{wanted.Count} nodes were chosen: one node is {(request.Operation == MaintenanceOperation.Stop ? "stopped" : "started")} at a time",
                "choose one node"));
        var found = new List<NodeStatus>();
        foreach (var id in wanted)
        {
            if (snapshot.Nodes.FirstOrDefault(n => n.Id == id) is { } node) found.Add(node);
            else checks.Add(new(MaintenanceRules.NodeKnown, $"node {id.ToString(CultureInfo.InvariantCulture)}", false, "no polled node has this id",
                $"choose one of {string.Join(", ", snapshot.Nodes.Where(n => n.Id is not null).Select(n => n.Id))}"));
        }
        return [.. InRollingOrder(snapshot, found)];
    }

    private static PlannedStep Step(int index, NodeAction action, NodeStatus node, bool voter, string control, MaintenanceSettings settings, EnsembleSnapshot snapshot)
    {
        var expected = voter ? "follower or leader" : "observer";
        var settle = $"every node serves with one leader for {Seconds(settings.SettlePeriod)} (settle period)";
        var timeout = $"at most {Seconds(settings.StepTimeout)}, else the run pauses with the reason";
        var voters = snapshot.Analysis.Voters;
        var observers = snapshot.Nodes.Length - voters;
        ImmutableArray<string> waits = action switch
        {
            NodeAction.Stop =>
            [
                $"{node.Label} stops answering",
                "the other voters keep a quorum with one leader" + (node.Role == NodeRole.Leader ? " (after an election)" : ""),
                settle.Replace("every node", "every other node", StringComparison.Ordinal),
                "then the run holds until you bring the node back",
                timeout,
            ],
            _ =>
            [
                action == NodeAction.Restart ? $"{node.Label} goes away and comes back" : $"{node.Label} answers again",
                $"{node.Label} serves as {expected}",
                $"{node.Label} has every transaction the leader had before the step: its zxid reaches the leader's (when the leader's epoch has none yet, as on an idle ensemble after an election, the leader's synced count decides)",
                $"the leader reports {voters - 1} synced follower(s)" + (observers > 0 ? $" and {observers} synced observer(s)" : ""),
                settle,
                timeout,
            ],
        };
        return new PlannedStep(index, action, node.Id!.Value, node.Label, !voter, expected, control, waits);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds < 120 ? $"{t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s" : $"{t.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min";
}
