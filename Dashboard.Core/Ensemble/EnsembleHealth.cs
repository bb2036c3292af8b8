using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Ensemble;

/// <summary>
/// Turns a poll and its quorum analysis into findings, following the accepted operational guidance (odd voter
/// count, 3 to 5 voters per datacenter, synced followers, one version) and the configured thresholds.
/// </summary>
public static class EnsembleHealth
{
    public const string WhitelistFix = "4lw.commands.whitelist=srvr,mntr,conf,ruok,isro";

    public static ImmutableArray<Finding> Evaluate(IReadOnlyList<NodeStatus> nodes, QuorumAnalysis analysis, HealthThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(analysis);
        thresholds ??= new HealthThresholds();
        var f = ImmutableArray.CreateBuilder<Finding>();
        var anyAnswer = nodes.Any(n => n.Role != NodeRole.Down);

        if (!analysis.HasQuorum && analysis.Voters > 0)
            f.Add(new(FindingSeverity.Critical, "quorum-lost", $"Quorum lost: {analysis.VotersUp} of {analysis.Voters} voters serve, {analysis.QuorumSize} needed; the ensemble refuses writes. Bring voters back."));
        if (analysis.HasNoLeader && anyAnswer)
            f.Add(new(FindingSeverity.Critical, "no-leader", "No node reports Mode: leader: an election is running or the voters cannot reach each other."));
        if (analysis.HasTwoLeaders)
            f.Add(new(FindingSeverity.Critical, "two-leaders", $"Nodes {Join(analysis.LeaderIds)} all report Mode: leader: a split membership; check each node's server.N lines."));
        if (analysis.Voters > 1 && analysis.Voters % 2 == 0)
            f.Add(new(FindingSeverity.Warning, "even-voters", $"{analysis.Voters} voters tolerate no more failures than {analysis.Voters - 1}: use an odd number (make one an observer or add one)."));
        if (analysis.Voters is > 0 and < 3 && !analysis.IsStandalone)
            f.Add(new(FindingSeverity.Warning, "few-voters", $"Only {analysis.Voters} voter(s): production needs at least 3 to survive one failure."));
        else if (analysis.IsStandalone)
            f.Add(new(FindingSeverity.Info, "standalone", "A standalone server: no replication, one failure stops it."));

        foreach (var dc in nodes.Where(n => n.IsVoter == true).GroupBy(n => n.Datacenter ?? "(no datacenter)"))
            if (dc.Count() > thresholds.MaxVotersPerDatacenter)
                f.Add(new(FindingSeverity.Warning, "too-many-voters", $"{dc.Count()} voters in {dc.Key}: more than {thresholds.MaxVotersPerDatacenter} slow writes and elections; add observers for read capacity instead."));

        foreach (var leader in nodes.Where(n => n.Role == NodeRole.Leader))
        {
            var followersUp = nodes.Count(n => n != leader && n.IsVoter == true && n.Role == NodeRole.Follower);
            var observersUp = nodes.Count(n => n.IsVoter == false && n.Role == NodeRole.Observer);
            // Down followers are their own finding; here only followers that serve but lag count.
            var expectedFollowers = followersUp;
            if (leader.SyncedFollowers is { } synced && synced < expectedFollowers)
                f.Add(new(FindingSeverity.Warning, "followers-not-synced", $"The leader has {synced} of {expectedFollowers} followers in sync: wait before taking any voter down.", leader.Id));
            if (leader.SyncedObservers is { } syncedObs && syncedObs < observersUp)
                f.Add(new(FindingSeverity.Warning, "observers-not-synced", $"The leader has {syncedObs} of {observersUp} observers in sync.", leader.Id));
        }

        foreach (var n in nodes)
        {
            switch (n.Role)
            {
                case NodeRole.Down:
                    f.Add(new(n.IsVoter == false ? FindingSeverity.Warning : FindingSeverity.Critical, "node-down", $"{n.Label} ({n.Address}) is down: {n.Error}.", n.Id));
                    break;
                case NodeRole.NotServing:
                    f.Add(new(FindingSeverity.Warning, "node-not-serving", $"{n.Label} answers but does not serve requests (election, or cut off from the quorum).", n.Id));
                    break;
                case NodeRole.ReadOnly:
                    f.Add(new(FindingSeverity.Warning, "node-read-only", $"{n.Label} serves read-only clients only: it lost contact with the quorum.", n.Id));
                    break;
            }
            if (n.LatencyAvgMs is { } avg && avg > thresholds.AverageLatencyMs)
                f.Add(new(FindingSeverity.Warning, "latency-high", $"{n.Label} averages {avg.ToString("0.#", CultureInfo.InvariantCulture)} ms per request (threshold {thresholds.AverageLatencyMs} ms): check disk fsync and GC.", n.Id));
            if (n.Outstanding is { } outstanding && outstanding > thresholds.OutstandingRequests)
                f.Add(new(FindingSeverity.Warning, "outstanding-high", $"{n.Label} has {outstanding} outstanding requests (threshold {thresholds.OutstandingRequests}): it cannot keep up.", n.Id));
            if (n is { OpenFileDescriptors: { } open, MaxFileDescriptors: { } max and > 0 } && (double)open / max > thresholds.FileDescriptorRatio)
                f.Add(new(FindingSeverity.Warning, "fds-high", $"{n.Label} uses {open} of {max} file descriptors: raise the limit or find the connection leak.", n.Id));
            if (!n.RefusedCommands.IsDefaultOrEmpty && n.Source != ProbeSource.Both)
                f.Add(new(FindingSeverity.Info, "whitelist-blocks", $"{n.Label} refuses {string.Join(", ", n.RefusedCommands)} over 4lw: add '{WhitelistFix}' to zoo.cfg (or give the AdminServer URL).", n.Id));
        }

        var versions = nodes.Select(n => ShortVersion(n.Version)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (versions.Count > 1)
            f.Add(new(FindingSeverity.Warning, "mixed-versions", $"Nodes run different versions ({string.Join(", ", versions)}): finish the rolling upgrade."));
        if (analysis.MembershipDisagrees)
            f.Add(new(FindingSeverity.Critical, "membership-disagrees", "Nodes report different memberships (server.N lines): a node runs with a stale configuration."));
        if (analysis.ConfigVersionDisagrees)
            f.Add(new(FindingSeverity.Warning, "config-version-disagrees", "Nodes report different config versions: a reconfiguration has not reached every node."));
        foreach (var difference in analysis.ConfiguredDifferences)
            f.Add(new(FindingSeverity.Warning, "config-differs", $"Settings and ensemble differ: {difference}."));

        return [.. f.OrderByDescending(x => x.Severity)];
    }

    /// <summary>"3.8.0-abc, built on ..." is "3.8.0": the build suffix is not a different version.</summary>
    private static string? ShortVersion(string? version)
    {
        if (string.IsNullOrWhiteSpace(version)) return null;
        var end = version.IndexOfAny(['-', ',', ' ']);
        return end > 0 ? version[..end] : version;
    }

    private static string Join(IEnumerable<int> ids) => string.Join(", ", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));
}
