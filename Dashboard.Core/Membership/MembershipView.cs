using System.Collections.Immutable;
using Dashboard.Core.Ensemble;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Membership;

/// <summary>Whether the servers accept <c>reconfig</c> at all, found by a harmless probe (a reconfig from a version that cannot exist).</summary>
public enum ReconfigAvailability
{
    /// <summary>The probe was refused for its version (BadVersion): reconfig is on; the ACL is judged only by a real change.</summary>
    Enabled,

    /// <summary><c>reconfigEnabled=false</c> (the default since 3.5.3): ReconfigDisabled.</summary>
    Disabled,

    /// <summary>A standalone server (Unimplemented): no quorum to reconfigure.</summary>
    Standalone,

    /// <summary>Another reconfiguration is being committed now.</summary>
    InProgress,

    Unknown,
}

/// <summary>One server as a membership change sees it: what it answers to <c>srvr</c> and <c>conf</c>, each with its own error.</summary>
public sealed record ServerState(int Id, string Host, int ClientPort)
{
    public bool IsMember { get; init; }
    public bool IsVoter { get; init; }
    public ServerMode? Mode { get; init; }
    public bool Serving { get; init; }
    public Zxid? Zxid { get; init; }

    /// <summary>The config version the server itself reports (<c>conf</c>): equal everywhere once a reconfig has reached it.</summary>
    public long? ConfigVersion { get; init; }

    public string? Datacenter { get; init; }
    public string? Error { get; init; }

    public string Address => $"{Host}:{ClientPort}";

    /// <summary>Counts toward a quorum now: it leads or follows (a non-member also answers "follower": that is not a vote).</summary>
    public bool VotesNow => IsVoter && Serving && Mode is ServerMode.Leader or ServerMode.Follower;

    public override string ToString() => $"server.{Id} ({Address})";
}

/// <summary>
/// The membership as <c>/zookeeper/config</c> holds it (members and version), every member's and the new server's
/// state, the leader's synced-follower count, whether reconfig is on, and the ACL of the config node. Read fresh
/// for every plan and every step; nothing older is acted on.
/// </summary>
public sealed record MembershipView(
    string ClusterId,
    ImmutableArray<EnsembleMember> Members,
    long ConfigVersion,
    ImmutableArray<ServerState> Servers,
    DateTimeOffset ReadAt)
{
    public int? LeaderId { get; init; }

    /// <summary>The leader's <c>zk_synced_followers</c> (voting followers in sync); null when the leader does not say.</summary>
    public long? SyncedFollowers { get; init; }

    public ReconfigAvailability Reconfig { get; init; } = ReconfigAvailability.Unknown;
    public string? ReconfigDetail { get; init; }
    public ImmutableArray<ZooKeeperAcl> ConfigAcl { get; init; } = [];

    /// <summary>The digest user the dashboard's session authenticates as; null for none.</summary>
    public string? AuthenticatedAs { get; init; }

    public ServerState? Server(int id) => Servers.FirstOrDefault(s => s.Id == id);

    public ServerState? Leader => LeaderId is { } id ? Server(id) : null;

    public IEnumerable<EnsembleMember> Voters => Members.Where(m => m.IsVoter);

    public static string VersionText(long version) => "0x" + version.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
