using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Maintenance.Kafka;

/// <summary>
/// The dry run of a broker restart or roll: brokers by id, the active controller last (the executor re-reads who it
/// is before each broker), every broker's checks judged now. Nothing is touched.
/// </summary>
public static class BrokerRollPlanner
{
    public const string KafkaPresent = "kafka-present";

    public static async Task<MaintenancePlan> PlanAsync(MaintenanceTarget target, MaintenanceRequest request, MaintenanceRun? activeRun, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        var cluster = target.Cluster;
        var checks = ImmutableArray.CreateBuilder<MaintenanceCheck>();
        checks.AddRange(MaintenancePlanner.ClusterChecks(cluster, activeRun));
        if (target.Kafka is not { } kafka)
        {
            checks.Add(new(KafkaPresent, cluster.Id, false, "no Kafka cluster is known on this ensemble", "point KafkaChroot at the Kafka chroot, or wait until the monitor finds /brokers/ids"));
            return new(cluster.Id, cluster.Name, request.Operation, [], checks.ToImmutable(), now);
        }

        checks.AddRange(await kafka.Checks.ClusterChecksAsync(cluster.Id, cancellationToken).ConfigureAwait(false));
        checks.Add(MaintenanceChecks.ZooKeeperCanLoseVoter(await target.Reader.ReadAsync(cancellationToken).ConfigureAwait(false), request.ZooKeeperRiskAccepted));
        var order = await kafka.Checks.RollOrderAsync(cluster.Id, cancellationToken).ConfigureAwait(false);
        var wanted = request.Operation == MaintenanceOperation.KafkaRollingRestart ? order : [.. order.Where(id => !request.NodeIds.IsDefault && request.NodeIds.Contains(id))];
        foreach (var id in request.Operation == MaintenanceOperation.KafkaRollingRestart || request.NodeIds.IsDefault ? [] : request.NodeIds.Except(order))
            checks.Add(new(MaintenanceRules.NodeKnown, $"broker {id}", false, "no registered broker has this id", $"choose one of {string.Join(", ", order)}"));
        if (wanted.IsEmpty)
            checks.Add(new(MaintenanceRules.NodeKnown, "request", false, "no broker was chosen", "choose the broker(s) to restart"));

        var steps = ImmutableArray.CreateBuilder<PlannedStep>();
        foreach (var id in wanted)
        {
            var node = await kafka.Checks.BrokerNodeAsync(cluster.Id, id, cancellationToken).ConfigureAwait(false) ?? new NodeDefinition($"broker-{id}", 0) { Id = id };
            var control = kafka.Controls(node, out var problem);
            var name = Name(id);
            checks.Add(control is null
                ? new(MaintenanceRules.NodeControl, name, false, problem ?? "no broker control", "configure Maintenance:BrokerControl for this cluster")
                : new(MaintenanceRules.NodeControl, name, true, $"{control.Kind.ToString().ToLowerInvariant()} control"));
            if (control is not null) checks.Add(NodeArgumentCheck.PlanCheck(name, control, [NodeAction.Restart], node));
            checks.AddRange(await kafka.Checks.BeforeRestartAsync(cluster.Id, id, cancellationToken).ConfigureAwait(false));
            steps.Add(new PlannedStep(steps.Count, NodeAction.Restart, id, name, false, "broker", control?.Describe(NodeAction.Restart, node) ?? "(no control)", Waits(id, cluster.Maintenance, steps.Count == wanted.Length - 1 && wanted.Length > 1)));
        }
        if (request.PreferredElection && steps.Count > 0)
            steps.Add(new PlannedStep(steps.Count, NodeAction.PreferredElection, ElectionNodeId, ElectionStepName, false, "controller", "/admin/preferred_replica_election",
            [
                "before: any election already pending is run by the controller first",
                "request it for every partition not led by its preferred replica",
                "the controller runs it and deletes /admin/preferred_replica_election",
                $"at most {cluster.Maintenance.StepTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s, else the run pauses with the reason",
            ]));
        return new(cluster.Id, cluster.Name, request.Operation, steps.ToImmutable(), checks.ToImmutable(), now);
    }

    /// <summary>The election step acts on no broker: this id is never a broker's (Kafka ids are 0 or more).</summary>
    public const int ElectionNodeId = -1;
    public const string ElectionStepName = "preferred leader election";

    public static string Name(int brokerId) => $"broker {brokerId.ToString(CultureInfo.InvariantCulture)}";

    private static ImmutableArray<string> Waits(int id, MaintenanceSettings settings, bool last) =>
    [
        .. last ? ["the active controller goes last (re-read before every broker; it can move)"] : Array.Empty<string>(),
        $"before: no under-replicated partitions and Strimzi's rule for every partition with a replica on broker {id}",
        $"broker {id} re-registers with a new epoch (czxid of /brokers/ids/{id})",
        "zero under-replicated partitions, with an active controller",
        $"all of that for {settings.SettlePeriod.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s (settle period)",
        $"at most {settings.StepTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s, else the run pauses with the reason",
    ];
}
