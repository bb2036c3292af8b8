using System.Collections.Immutable;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Ensemble;

/// <summary>Whether one node can be stopped now without the ensemble losing its quorum, and why.</summary>
public sealed record NodeVerdict(string Address, int? Id, bool IsVoter, bool CanTakeDown, string Reason);

/// <summary>
/// The quorum arithmetic over one poll: voters (observers never count), quorum = floor(V/2)+1, voters up, failures
/// tolerated now, a verdict per node, and the disagreements that need an operator (two leaders, membership or config
/// version differing between voters, or from the settings).
/// </summary>
public sealed record QuorumAnalysis(
    int Voters,
    int QuorumSize,
    int VotersUp,
    bool HasQuorum,
    int FailuresTolerated,
    ImmutableArray<int> LeaderIds,
    bool IsStandalone,
    ImmutableArray<NodeVerdict> Nodes,
    bool MembershipDisagrees,
    bool ConfigVersionDisagrees,
    ImmutableArray<string> ConfiguredDifferences)
{
    public bool HasTwoLeaders => LeaderIds.Length > 1;
    public bool HasNoLeader => LeaderIds.IsEmpty && !IsStandalone;

    /// <param name="fromConfigZnode">A membership read from <c>/zookeeper/config</c> of a server that is not among <paramref name="nodes"/>.</param>
    public static QuorumAnalysis Analyze(IReadOnlyList<NodeStatus> nodes, IReadOnlyList<NodeDefinition>? configured = null, ConfigZnodeMembership? fromConfigZnode = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var views = nodes.Where(n => n.IsServing && !n.Membership.IsDefaultOrEmpty).Select(n => (n.Membership, n.ConfigVersion)).ToList();
        if (fromConfigZnode is { Members.IsDefaultOrEmpty: false } z) views.Add((z.Members, z.ConfigVersion));
        var membership = ReferenceMembership(nodes, fromConfigZnode);
        bool IsVoter(NodeStatus n) =>
            membership.Count > 0 && n.Id is { } id && membership.FirstOrDefault(m => m.Id == id) is { } m ? m.IsVoter : n.IsVoter == true;

        var standalone = nodes.Count == 1 && nodes[0].Role == NodeRole.Standalone;
        var voters = membership.Count > 0 ? membership.Count(m => m.IsVoter) : nodes.Count(n => n.IsVoter == true);
        voters = Math.Max(voters, nodes.Count(IsVoter));
        var quorum = voters / 2 + 1;
        var up = nodes.Count(n => IsVoter(n) && n.Role is NodeRole.Leader or NodeRole.Follower or NodeRole.Standalone);
        var leaders = nodes.Where(n => n.Role == NodeRole.Leader).Select(n => n.Id ?? 0).ToImmutableArray();
        var hasQuorum = voters > 0 && up >= quorum && (leaders.Length > 0 || standalone);
        var tolerated = hasQuorum ? up - quorum : 0;

        var verdicts = nodes.Select(n =>
        {
            var voter = IsVoter(n);
            var voterUp = voter && n.Role is NodeRole.Leader or NodeRole.Follower or NodeRole.Standalone;
            (bool can, string why) = (voter, voterUp) switch
            {
                (false, _) => (true, "observer: never counts toward the quorum (read capacity drops while it is away)"),
                (true, false) => (true, "voter already out of the quorum"),
                _ when !hasQuorum => (false, "the ensemble has no quorum now: bring nodes back first"),
                _ when up - 1 >= quorum => (true, $"{up - 1} of {voters} voters would remain, quorum is {quorum}"),
                _ => (false, $"only {up - 1} of {voters} voters would remain, below the quorum of {quorum}"),
            };
            if (can && voterUp && n.Role == NodeRole.Leader) why += "; restart the leader last (it forces an election)";
            return new NodeVerdict(n.Address, n.Id, voter, can, why);
        }).ToImmutableArray();

        var membershipDisagrees = views.Select(v => Canonical(v.Membership)).Distinct(StringComparer.Ordinal).Count() > 1;
        var versionDisagrees = views.Where(v => v.ConfigVersion is not null).Select(v => v.ConfigVersion).Distinct().Count() > 1;

        return new QuorumAnalysis(voters, quorum, up, hasQuorum, tolerated, leaders, standalone, verdicts,
            membershipDisagrees, versionDisagrees, CompareWithConfigured(membership, configured));
    }

    /// <summary>The membership the newest config version reports; voters may lag behind a reconfiguration.</summary>
    private static IReadOnlyList<EnsembleMember> ReferenceMembership(IReadOnlyList<NodeStatus> nodes, ConfigZnodeMembership? fromConfigZnode) =>
        nodes.Where(n => !n.Membership.IsDefaultOrEmpty)
            .Select(n => (n.Membership, n.ConfigVersion))
            .Concat(fromConfigZnode is { Members.IsDefaultOrEmpty: false } z ? [(z.Members, z.ConfigVersion)] : [])
            .OrderByDescending(v => v.ConfigVersion ?? -1)
            .Select(v => (IReadOnlyList<EnsembleMember>)v.Membership)
            .FirstOrDefault() ?? [];

    private static string Canonical(ImmutableArray<EnsembleMember> members) =>
        string.Join(';', members.OrderBy(m => m.Id).Select(m => $"{m.Id}={m.Host}:{m.QuorumPort}:{m.ElectionPort}:{(m.IsObserver ? "o" : "p")}"));

    private static ImmutableArray<string> CompareWithConfigured(IReadOnlyList<EnsembleMember> reported, IReadOnlyList<NodeDefinition>? configured)
    {
        if (reported.Count == 0 || configured is null || configured.Count == 0) return [];
        var differences = ImmutableArray.CreateBuilder<string>();
        foreach (var member in reported)
        {
            var match = configured.FirstOrDefault(c => c.Id == member.Id)
                        ?? configured.FirstOrDefault(c => c.Id is null && c.ClientPort == member.ClientPort && c.Host == member.ClientAddressHost);
            if (match is null)
                differences.Add($"server.{member.Id} ({member.ClientAddressHost}:{member.ClientPort}) is a member but not in the settings");
            else if (match.IsObserver is { } observer && observer != member.IsObserver)
                differences.Add($"server.{member.Id} is {(member.IsObserver ? "an observer" : "a participant")} in the ensemble but {(observer ? "an observer" : "a voter")} in the settings");
        }
        foreach (var node in configured.Where(c => c.Id is { } id && reported.All(m => m.Id != id)))
            differences.Add($"{node} is in the settings but not a member of the ensemble");
        return differences.ToImmutable();
    }
}
