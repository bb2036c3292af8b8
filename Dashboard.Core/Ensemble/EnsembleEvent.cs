using System.Collections.Immutable;

namespace Dashboard.Core.Ensemble;

public enum EnsembleEventKind { LeaderChanged, NodeDown, NodeUp, RoleChanged, QuorumLost, QuorumRestored }

/// <summary>A change between two consecutive snapshots; kept as records so a history store can persist them.</summary>
public sealed record EnsembleEvent(string ClusterId, DateTimeOffset At, EnsembleEventKind Kind, int? NodeId, string Message)
{
    public static ImmutableArray<EnsembleEvent> Between(EnsembleSnapshot? previous, EnsembleSnapshot current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (previous is null) return [];
        var events = ImmutableArray.CreateBuilder<EnsembleEvent>();
        void Add(EnsembleEventKind kind, int? node, string message) => events.Add(new(current.ClusterId, current.TakenAt, kind, node, message));

        var before = previous.Nodes.ToDictionary(n => n.Address, StringComparer.Ordinal);
        foreach (var now in current.Nodes)
        {
            if (!before.TryGetValue(now.Address, out var was)) continue;
            var wasDown = was.Role == NodeRole.Down;
            var isDown = now.Role == NodeRole.Down;
            if (!wasDown && isDown) Add(EnsembleEventKind.NodeDown, now.Id, $"{now.Label} went down ({now.Error}).");
            else if (wasDown && !isDown) Add(EnsembleEventKind.NodeUp, now.Id, $"{now.Label} is back as {Word(now.Role)}.");
            else if (was.Role != now.Role) Add(EnsembleEventKind.RoleChanged, now.Id, $"{now.Label} changed from {Word(was.Role)} to {Word(now.Role)}.");
        }

        var oldLeader = previous.Leader;
        var newLeader = current.Leader;
        if (newLeader is not null && newLeader.Address != oldLeader?.Address)
            Add(EnsembleEventKind.LeaderChanged, newLeader.Id,
                oldLeader is null ? $"{newLeader.Label} is the leader." : $"Leadership moved from {oldLeader.Label} to {newLeader.Label}.");

        if (previous.Analysis.HasQuorum && !current.Analysis.HasQuorum)
            Add(EnsembleEventKind.QuorumLost, null, $"Quorum lost: {current.Analysis.VotersUp} of {current.Analysis.Voters} voters serve.");
        else if (!previous.Analysis.HasQuorum && current.Analysis.HasQuorum)
            Add(EnsembleEventKind.QuorumRestored, null, $"Quorum restored: {current.Analysis.VotersUp} of {current.Analysis.Voters} voters serve.");
        return events.ToImmutable();
    }

    private static string Word(NodeRole role) => role switch
    {
        NodeRole.NotServing => "not serving",
        NodeRole.ReadOnly => "read-only",
        _ => role.ToString().ToLowerInvariant(),
    };
}
