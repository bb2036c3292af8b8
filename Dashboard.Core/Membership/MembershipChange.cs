using System.Collections.Immutable;
using System.Globalization;

namespace Dashboard.Core.Membership;

/// <summary>What an operator asks for. <see cref="AddVoter"/> of a server that is not a member is planned as two steps.</summary>
public enum MembershipChangeKind
{
    AddObserver,

    /// <summary>Add a server as a voter: added as an observer first, then promoted once it has caught up.</summary>
    AddVoter,

    Remove,

    /// <summary>Observer to voter (participant).</summary>
    Promote,

    /// <summary>Voter to observer.</summary>
    Demote,
}

/// <summary>
/// One membership change as asked: the kind and the server(s). Adding needs the server's address and ports (it is
/// already running with the ensemble's configuration plus itself); removing may name several ids (one reconfig).
/// </summary>
public sealed record MembershipChange(MembershipChangeKind Kind, ImmutableArray<int> ServerIds)
{
    public string? Host { get; init; }
    public int? QuorumPort { get; init; }
    public int? ElectionPort { get; init; }
    public int? ClientPort { get; init; }

    /// <summary>The new server's datacenter (for the voters-per-datacenter rule); members take theirs from the settings.</summary>
    public string? Datacenter { get; init; }

    /// <summary>
    /// The typed acknowledgement for a voter count the seed rules advise against (even, or fewer than three):
    /// exactly <see cref="AcknowledgementFor"/> of the count, e.g. <c>4 voters</c>.
    /// </summary>
    public string? Acknowledgement { get; init; }

    /// <summary>How many transactions behind the leader a server may be and still become a voter.</summary>
    public long MaxZxidLag { get; init; } = DefaultMaxZxidLag;

    public const long DefaultMaxZxidLag = 1000;

    public int ServerId => ServerIds.IsDefaultOrEmpty ? 0 : ServerIds[0];

    public bool IsAdd => Kind is MembershipChangeKind.AddObserver or MembershipChangeKind.AddVoter;

    public static string AcknowledgementFor(int voters) => $"{voters.ToString(CultureInfo.InvariantCulture)} voters";

    public static MembershipChange Add(int id, string host, int quorumPort, int electionPort, int clientPort, bool asVoter) =>
        new(asVoter ? MembershipChangeKind.AddVoter : MembershipChangeKind.AddObserver, [id])
        {
            Host = host, QuorumPort = quorumPort, ElectionPort = electionPort, ClientPort = clientPort,
        };

    public static MembershipChange Remove(params int[] ids) => new(MembershipChangeKind.Remove, [.. ids]);

    public static MembershipChange Promote(int id) => new(MembershipChangeKind.Promote, [id]);

    public static MembershipChange Demote(int id) => new(MembershipChangeKind.Demote, [id]);

    public static string Name(MembershipChangeKind kind) => kind switch
    {
        MembershipChangeKind.AddObserver => "add-observer",
        MembershipChangeKind.AddVoter => "add-voter",
        MembershipChangeKind.Remove => "remove",
        MembershipChangeKind.Promote => "promote",
        _ => "demote",
    };

    public static bool TryParseKind(string? text, out MembershipChangeKind kind)
    {
        foreach (var candidate in Enum.GetValues<MembershipChangeKind>())
        {
            if (string.Equals(Name(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase)) { kind = candidate; return true; }
        }
        kind = default;
        return false;
    }

    public override string ToString() => Kind switch
    {
        MembershipChangeKind.AddObserver or MembershipChangeKind.AddVoter => $"{Name(Kind)} server.{ServerId} ({Host}:{ClientPort})",
        _ => $"{Name(Kind)} {string.Join(", ", ServerIds.Select(i => $"server.{i.ToString(CultureInfo.InvariantCulture)}"))}",
    };
}
