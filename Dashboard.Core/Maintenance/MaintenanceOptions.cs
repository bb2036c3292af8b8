using System.Collections.Immutable;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// <c>Dashboard:Clusters:N:Maintenance</c> as written in settings. Maintenance is off unless <see cref="Enabled"/>;
/// the sandbox turns it on with sandbox control.
/// </summary>
public sealed class MaintenanceOptions
{
    public bool Enabled { get; set; }
    public NodeControlOptions? Control { get; set; }

    /// <summary>How Kafka brokers are restarted, e.g. <c>["ssh", "{host}", "sudo", "systemctl", "restart", "kafka"]</c>; no broker roll without it.</summary>
    public NodeControlOptions? BrokerControl { get; set; }
    public TimeSpan? SettlePeriod { get; set; }
    public TimeSpan? StepTimeout { get; set; }
    public TimeSpan? ManualStepTimeout { get; set; }

    internal MaintenanceSettings ToSettings(string where)
    {
        var settings = new MaintenanceSettings { Enabled = Enabled, Control = Control?.ToSettings($"{where}:Control"), BrokerControl = BrokerControl?.ToSettings($"{where}:BrokerControl") };
        if (Enabled && settings.Control is null)
            throw new ClusterConfigurationException($"{where}:Enabled is true but {where}:Control is missing: give Kind (sandbox, command, docker or manual) and its settings.");
        if (SettlePeriod is { } settle && (settle < TimeSpan.Zero || settle > TimeSpan.FromHours(1)))
            throw new ClusterConfigurationException($"{where}:SettlePeriod must be between 0 and 1 hour (got {settle}).");
        if (StepTimeout is { } step && (step < TimeSpan.FromSeconds(5) || step > TimeSpan.FromHours(2)))
            throw new ClusterConfigurationException($"{where}:StepTimeout must be between 5 seconds and 2 hours (got {step}).");
        return settings with
        {
            SettlePeriod = SettlePeriod ?? settings.SettlePeriod,
            StepTimeout = StepTimeout ?? settings.StepTimeout,
            ManualStepTimeout = ManualStepTimeout ?? settings.ManualStepTimeout,
        };
    }
}

/// <summary><c>...:Maintenance:Control</c> of a cluster, or <c>...:Nodes:N:Control</c> of one node.</summary>
public sealed class NodeControlOptions
{
    private static readonly string[] Placeholders = ["{host}", "{port}", "{id}"];

    /// <summary><c>sandbox</c>, <c>command</c>, <c>docker</c> or <c>manual</c>.</summary>
    public string? Kind { get; set; }

    /// <summary>Command: the restart argument list, e.g. <c>["ssh", "{host}", "sudo", "systemctl", "restart", "zookeeper"]</c>.</summary>
    public List<string> Restart { get; set; } = [];

    /// <summary>Command: stop and start argument lists (restart runs them in turn when <see cref="Restart"/> is empty).</summary>
    public List<string> Stop { get; set; } = [];
    public List<string> Start { get; set; } = [];

    public TimeSpan? ActionTimeout { get; set; }

    /// <summary>Docker: the container name, e.g. <c>zk{id}</c>.</summary>
    public string? Container { get; set; }

    public string? DockerSocket { get; set; }

    internal NodeControlSettings ToSettings(string where)
    {
        if (!Enum.TryParse<NodeControlKind>(Kind, ignoreCase: true, out var kind) || int.TryParse(Kind, out _))
            throw new ClusterConfigurationException($"{where}:Kind is '{Kind}': use sandbox, command, docker or manual.");
        var timeout = ActionTimeout ?? NodeControlSettings.DefaultActionTimeout;
        if (timeout < TimeSpan.FromSeconds(1) || timeout > TimeSpan.FromHours(1))
            throw new ClusterConfigurationException($"{where}:ActionTimeout must be between 1 second and 1 hour (got {timeout}).");
        var settings = new NodeControlSettings(kind)
        {
            Restart = Checked(Restart, $"{where}:Restart"), Stop = Checked(Stop, $"{where}:Stop"), Start = Checked(Start, $"{where}:Start"),
            ActionTimeout = timeout, Container = string.IsNullOrWhiteSpace(Container) ? null : Container.Trim(),
            DockerSocket = string.IsNullOrWhiteSpace(DockerSocket) ? NodeControlSettings.DefaultDockerSocket : DockerSocket.Trim(),
        };
        switch (kind)
        {
            case NodeControlKind.Command when settings.Restart.IsEmpty && (settings.Stop.IsEmpty || settings.Start.IsEmpty):
                throw new ClusterConfigurationException($"{where}: a command control needs Restart, or both Stop and Start, as argument lists (e.g. [\"ssh\", \"{{host}}\", \"sudo\", \"systemctl\", \"restart\", \"zookeeper\"]).");
            case NodeControlKind.Command when (settings.Stop.IsEmpty) != (settings.Start.IsEmpty):
                throw new ClusterConfigurationException($"{where}: give both Stop and Start, or neither (stopping a node for maintenance needs both).");
            case NodeControlKind.Docker when settings.Container is null:
                throw new ClusterConfigurationException($"{where}: a docker control needs Container, the container's name (e.g. \"zk{{id}}\").");
        }
        if (settings.Container is { } container) CheckPlaceholders(container, $"{where}:Container");
        return settings;
    }

    private static ImmutableArray<string> Checked(List<string> arguments, string where)
    {
        foreach (var argument in arguments) CheckPlaceholders(argument, where);
        if (arguments.Count > 0 && string.IsNullOrWhiteSpace(arguments[0]))
            throw new ClusterConfigurationException($"{where}:0 is empty: the first item is the program to run.");
        return [.. arguments];
    }

    private static void CheckPlaceholders(string text, string where)
    {
        var rest = text;
        foreach (var placeholder in Placeholders) rest = rest.Replace(placeholder, "", StringComparison.Ordinal);
        if (rest.Contains('{', StringComparison.Ordinal) || rest.Contains('}', StringComparison.Ordinal))
            throw new ClusterConfigurationException($"{where} has '{text}': only the placeholders {{host}}, {{port}} and {{id}} are known.");
    }
}
