using System.Collections.Immutable;

namespace Dashboard.Core.Maintenance;

/// <summary>How the dashboard stops, starts and restarts a node.</summary>
public enum NodeControlKind
{
    /// <summary>The sandbox's own processes.</summary>
    Sandbox,

    /// <summary>Argument lists run without a shell (e.g. <c>ssh {host} sudo systemctl restart zookeeper</c>).</summary>
    Command,

    /// <summary>A container restarted through the Docker Engine API on its unix socket.</summary>
    Docker,

    /// <summary>The operator does it by hand; the dashboard says what to do and verifies it happened.</summary>
    Manual,
}

/// <summary>
/// Validated node-control settings of a cluster or one node. Command arguments and the container name may hold the
/// placeholders <c>{host}</c>, <c>{port}</c> and <c>{id}</c>.
/// </summary>
public sealed record NodeControlSettings(NodeControlKind Kind)
{
    public static readonly TimeSpan DefaultActionTimeout = TimeSpan.FromMinutes(2);
    public const string DefaultDockerSocket = "/var/run/docker.sock";

    public ImmutableArray<string> Restart { get; init; } = [];
    public ImmutableArray<string> Stop { get; init; } = [];
    public ImmutableArray<string> Start { get; init; } = [];

    /// <summary>How long one command or Docker call may take before it is killed and the run pauses.</summary>
    public TimeSpan ActionTimeout { get; init; } = DefaultActionTimeout;

    public string? Container { get; init; }
    public string DockerSocket { get; init; } = DefaultDockerSocket;
}

/// <summary>A cluster's maintenance settings: off unless enabled; timings of the waits between steps.</summary>
public sealed record MaintenanceSettings
{
    public static readonly MaintenanceSettings Disabled = new();

    public bool Enabled { get; init; }

    /// <summary>Control for every node that does not name its own.</summary>
    public NodeControlSettings? Control { get; init; }

    /// <summary>How a Kafka broker of this cluster is restarted (<c>{id}</c> is the broker id, <c>{host}</c>/<c>{port}</c> from its registration).</summary>
    public NodeControlSettings? BrokerControl { get; init; }

    /// <summary>How long the ensemble must stay healthy after a step before the next one.</summary>
    public TimeSpan SettlePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a node may take to come back (or go away) before the run pauses.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>A manual step waits for a person: much longer.</summary>
    public TimeSpan ManualStepTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a run polls the ensemble while it waits.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
