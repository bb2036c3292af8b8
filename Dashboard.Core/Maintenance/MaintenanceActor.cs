using Dashboard.Core.Access;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Who asks for a maintenance action, with the role they hold now. The coordinator checks the role itself, so a
/// page, the JSON API, a circuit and a test all meet the same rule (HTTP middleware is not the only gate).
/// </summary>
public sealed record MaintenanceActor(string Name, DashboardRole? Role)
{
    /// <summary>Starting, pausing, resuming and aborting runs (and starting or stopping a node) need an operator.</summary>
    public const DashboardRole Required = DashboardRole.Operator;

    public bool MayAct => Role is { } role && role.Includes(Required);

    public override string ToString() => Name;
}
