using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Maintenance;

namespace Dashboard.Core.Membership;

/// <summary>
/// One incremental <c>reconfig</c>: the servers joining (their <c>server.N=</c> lines, with the role they take) and
/// leaving, and the voter sets before and after with their quorum sizes.
/// </summary>
public sealed record MembershipStepPlan(
    int Index,
    MembershipChangeKind Kind,
    ImmutableArray<int> ServerIds,
    string? Joining,
    string? Leaving,
    ImmutableArray<int> VotersBefore,
    ImmutableArray<int> VotersAfter)
{
    public static int QuorumOf(int voters) => voters / 2 + 1;

    public int QuorumBefore => QuorumOf(VotersBefore.Length);
    public int QuorumAfter => QuorumOf(VotersAfter.Length);

    public string Description => Kind switch
    {
        MembershipChangeKind.AddObserver => $"add server.{Ids} as an observer",
        MembershipChangeKind.Promote => $"make server.{Ids} a voter",
        MembershipChangeKind.Demote => $"make server.{Ids} an observer",
        _ => $"remove server.{Ids}",
    } + $" (voters {VotersBefore.Length} -> {VotersAfter.Length}, quorum {QuorumBefore} -> {QuorumAfter})";

    private string Ids => string.Join(", server.", ServerIds.Select(i => i.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>
/// The dry run of a membership change: its steps, every check's verdict, the configuration it leads to, and what to
/// change where reconfig cannot be used (with the rolling-restart procedure as the alternative). Nothing is touched
/// to produce it. <see cref="FromConfigVersion"/> is the version the first step's reconfig names, so a change made
/// by anyone between this plan and the run is refused by the servers (BadVersion), never overwritten.
/// </summary>
public sealed record MembershipPlan(
    string ClusterId,
    MembershipChange Change,
    long FromConfigVersion,
    ImmutableArray<MembershipStepPlan> Steps,
    ImmutableArray<MaintenanceCheck> Checks,
    ImmutableArray<string> ConfigAfter,
    DateTimeOffset CheckedAt)
{
    /// <summary>What to change to make the plan possible, and the rolling-restart alternative; empty when nothing is in the way.</summary>
    public ImmutableArray<string> Advice { get; init; } = [];

    /// <summary>Why the plan has the shape it has (e.g. a new voter is added as an observer first).</summary>
    public string? Shape { get; init; }

    public bool CanStart => !Steps.IsDefaultOrEmpty && Checks.All(c => c.Passed);

    public IEnumerable<MaintenanceCheck> Refusals => Checks.Where(c => !c.Passed);
}

/// <summary>Rule names of membership checks, stable for the API and tests.</summary>
public static class MembershipRules
{
    public const string ReconfigEnabled = "reconfig-enabled";
    public const string ReconfigPermitted = "reconfig-permitted";
    public const string OneChangeInFlight = MaintenanceRules.OneRunPerCluster;
    public const string ConfigSettled = "config-settled";
    public const string RequestValid = "request-valid";
    public const string VotersServing = "voters-serving";
    public const string FollowersSynced = "followers-synced";
    public const string MajorityKept = "majority-kept";
    public const string QuorumAfter = "quorum-after";
    public const string CaughtUp = "caught-up";
    public const string OddVoters = "odd-voters";
    public const string MinimumVoters = "minimum-voters";
    public const string VotersPerDatacenter = "voters-per-datacenter";
    public const string Role = MaintenanceRules.Role;
    public const string ConfigVersion = "config-version";
}
