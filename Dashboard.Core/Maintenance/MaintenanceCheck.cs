namespace Dashboard.Core.Maintenance;

/// <summary>
/// One rule judged against the ensemble. A refusal names the <see cref="Rule"/>, the node (or partition) it is
/// about in <see cref="Subject"/>, what was found in <see cref="Detail"/>, and what would make it pass in <see cref="ToPass"/>.
/// </summary>
public sealed record MaintenanceCheck(string Rule, string Subject, bool Passed, string Detail, string? ToPass = null)
{
    public override string ToString() => Passed ? $"{Rule} ({Subject}): {Detail}" : $"{Rule} ({Subject}): {Detail}. To pass: {ToPass}";
}

/// <summary>Rule names, stable for the API and tests.</summary>
public static class MaintenanceRules
{
    public const string Enabled = "maintenance-enabled";
    public const string NodeControl = "node-control";
    public const string NodeKnown = "node-known";
    public const string NodesServing = "nodes-serving";
    public const string OneLeader = "one-leader";
    public const string FollowersSynced = "followers-synced";
    public const string QuorumKept = "quorum-kept";
    public const string QuorumPresent = "quorum-present";
    public const string NodeDown = "node-down";
    public const string Role = "role";
    public const string ZooKeeperCanLoseVoter = "zookeeper-can-lose-a-voter";
    public const string OneRunPerCluster = "one-run-per-cluster";
}
