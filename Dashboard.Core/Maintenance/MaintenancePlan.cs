using System.Collections.Immutable;

namespace Dashboard.Core.Maintenance;

public enum MaintenanceOperation
{
    /// <summary>Restart the chosen nodes, one at a time, the leader last.</summary>
    Restart,

    /// <summary>Stop one node for maintenance; the run holds until the operator brings it back.</summary>
    Stop,

    /// <summary>Restart every node: observers, then followers, the leader last.</summary>
    RollingRestart,

    /// <summary>Start one node that is down (stopped by hand, crashed, or left down by an interrupted run).</summary>
    Start,

    /// <summary>Restart the chosen Kafka brokers, one at a time, the active controller last.</summary>
    KafkaRestart,

    /// <summary>Restart every Kafka broker: the active controller last, re-read before each broker.</summary>
    KafkaRollingRestart,
}

public static class MaintenanceOperations
{
    public static string Name(MaintenanceOperation operation) => operation switch
    {
        MaintenanceOperation.Restart => "restart",
        MaintenanceOperation.Stop => "stop",
        MaintenanceOperation.Start => "start",
        MaintenanceOperation.KafkaRestart => "kafka-restart",
        MaintenanceOperation.KafkaRollingRestart => "kafka-rolling-restart",
        _ => "rolling-restart",
    };

    /// <summary>Operations on Kafka brokers: node ids are broker ids, and the broker checks apply.</summary>
    public static bool IsKafka(MaintenanceOperation operation) => operation is MaintenanceOperation.KafkaRestart or MaintenanceOperation.KafkaRollingRestart;

    public static bool TryParse(string? text, out MaintenanceOperation operation)
    {
        operation = default;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "restart": operation = MaintenanceOperation.Restart; return true;
            case "stop": operation = MaintenanceOperation.Stop; return true;
            case "start": operation = MaintenanceOperation.Start; return true;
            case "rolling-restart": operation = MaintenanceOperation.RollingRestart; return true;
            case "kafka-restart": operation = MaintenanceOperation.KafkaRestart; return true;
            case "kafka-rolling-restart": operation = MaintenanceOperation.KafkaRollingRestart; return true;
            default: return false;
        }
    }
}

/// <summary>What an operator asks for: an operation and, except for a rolling restart, the nodes (by id).</summary>
public sealed record MaintenanceRequest(MaintenanceOperation Operation, ImmutableArray<int> NodeIds)
{
    /// <summary>Broker rolls only: after the last broker, request a preferred leader election and wait until the controller has run it.</summary>
    public bool PreferredElection { get; init; }

    /// <summary>
    /// Broker rolls only: the operator typed the acknowledgement that the ZooKeeper ensemble cannot lose a voter now
    /// (<see cref="MaintenanceChecks.ZooKeeperRiskWord"/>). Held by the run while it is driven, not stored: after a
    /// restart of the dashboard the rule is judged again.
    /// </summary>
    public bool ZooKeeperRiskAccepted { get; init; }

    public static MaintenanceRequest RollingRestart { get; } = new(MaintenanceOperation.RollingRestart, []);

    public static MaintenanceRequest KafkaRollingRestart { get; } = new(MaintenanceOperation.KafkaRollingRestart, []);
}

/// <summary>One step as planned: what is done to which node, how, and what the run waits for afterwards.</summary>
public sealed record PlannedStep(int Index, NodeAction Action, int NodeId, string Node, bool IsObserver, string ExpectedRole, string Control, ImmutableArray<string> Waits);

/// <summary>
/// The dry run: the steps in order, every check's verdict now, and the waits between steps. Nothing is touched to
/// produce it. A run can start only when every check passes.
/// </summary>
public sealed record MaintenancePlan(
    string ClusterId,
    string ClusterName,
    MaintenanceOperation Operation,
    ImmutableArray<PlannedStep> Steps,
    ImmutableArray<MaintenanceCheck> Checks,
    DateTimeOffset CheckedAt)
{
    public bool CanStart => !Steps.IsDefaultOrEmpty && Checks.All(c => c.Passed);

    public IEnumerable<MaintenanceCheck> Refusals => Checks.Where(c => !c.Passed);
}
