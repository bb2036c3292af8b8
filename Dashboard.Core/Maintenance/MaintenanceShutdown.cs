using Dashboard.Core.Clusters;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// How long a stopping dashboard must wait for node actions under way: they are finished, never cancelled (a
/// restart cut between its stop and its start leaves the node down). The host's shutdown timeout is set to this.
/// </summary>
public static class MaintenanceShutdown
{
    /// <summary>Saving the action's result and pausing the run, after the action itself.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(15);

    /// <summary>Sandbox control stops with a 10 s grace, then kills (10 s), then starts.</summary>
    private static readonly TimeSpan SandboxAction = TimeSpan.FromSeconds(30);

    public static TimeSpan Allowance(IEnumerable<ClusterDefinition> clusters)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        var longest = TimeSpan.Zero;
        foreach (var cluster in clusters.Where(c => c.Maintenance.Enabled))
        {
            var controls = cluster.Nodes.Select(n => n.Control).Append(cluster.Maintenance.Control).Append(cluster.Maintenance.BrokerControl);
            foreach (var control in controls.OfType<NodeControlSettings>())
                if (Action(control) > longest) longest = Action(control);
        }
        return longest + Margin;
    }

    /// <summary>The longest one action can take: a restart without its own command runs stop then start, each bounded.</summary>
    public static TimeSpan Action(NodeControlSettings control)
    {
        ArgumentNullException.ThrowIfNull(control);
        return control.Kind switch
        {
            NodeControlKind.Manual => TimeSpan.Zero,
            NodeControlKind.Sandbox => SandboxAction,
            NodeControlKind.Command when control.Restart.IsDefaultOrEmpty => control.ActionTimeout * 2,
            _ => control.ActionTimeout,
        };
    }
}
