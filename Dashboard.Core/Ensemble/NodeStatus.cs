using System.Collections.Immutable;

namespace Dashboard.Core.Ensemble;

/// <summary>Which protocol produced a node's figures.</summary>
public enum ProbeSource { None, FourLetterWords, AdminServer, Both }

/// <summary>
/// One node at one poll. Every figure is nullable: a node that refuses a command, runs an older version or is down
/// simply lacks it. <see cref="Error"/> says why a node has no answer; <see cref="Notes"/> lists lesser problems
/// (e.g. commands refused by the whitelist).
/// </summary>
public sealed record NodeStatus(string Host, int ClientPort, NodeRole Role)
{
    public int? Id { get; init; }
    public string? Datacenter { get; init; }

    /// <summary>Voter or not, from the node's own config, else the settings, else its role; null when nothing says.</summary>
    public bool? IsVoter { get; init; }

    public Zxid? Zxid { get; init; }

    /// <summary>Transactions behind the leader's zxid (same epoch), or null when not comparable.</summary>
    public long? ZxidLag { get; init; }

    public double? LatencyMinMs { get; init; }
    public double? LatencyAvgMs { get; init; }
    public double? LatencyMaxMs { get; init; }
    public long? Outstanding { get; init; }
    public long? Connections { get; init; }
    public long? ZnodeCount { get; init; }
    public long? WatchCount { get; init; }
    public long? Ephemerals { get; init; }
    public long? DataSizeBytes { get; init; }
    public long? OpenFileDescriptors { get; init; }
    public long? MaxFileDescriptors { get; init; }
    public string? Version { get; init; }
    public TimeSpan? Uptime { get; init; }

    /// <summary>Leader only: learners connected and how many followers/observers are in sync.</summary>
    public long? Learners { get; init; }
    public long? SyncedFollowers { get; init; }
    public long? SyncedObservers { get; init; }
    public long? PendingSyncs { get; init; }

    /// <summary>The membership the node reports (<c>conf</c>), with its config version.</summary>
    public ImmutableArray<EnsembleMember> Membership { get; init; } = [];
    public long? ConfigVersion { get; init; }

    public ProbeSource Source { get; init; }

    /// <summary>4lw commands the node refused because of <c>4lw.commands.whitelist</c>.</summary>
    public ImmutableArray<string> RefusedCommands { get; init; } = [];

    public TimeSpan ResponseTime { get; init; }
    public bool TimedOut { get; init; }
    public string? Error { get; init; }
    public ImmutableArray<string> Notes { get; init; } = [];

    public string Address => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{ClientPort}" : $"{Host}:{ClientPort}";
    public bool IsServing => Role is NodeRole.Leader or NodeRole.Follower or NodeRole.Observer or NodeRole.Standalone or NodeRole.ReadOnly;

    /// <summary>Counts toward the quorum now: a voter that leads or follows.</summary>
    public bool IsVoterUp => IsVoter != false && Role is NodeRole.Leader or NodeRole.Follower or NodeRole.Standalone;

    public string Label => Id is { } id ? $"node {id}" : Address;
}
