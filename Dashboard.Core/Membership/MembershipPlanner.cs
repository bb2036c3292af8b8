using System.Collections.Immutable;
using System.Globalization;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.Maintenance;

namespace Dashboard.Core.Membership;

/// <summary>
/// Turns a <see cref="MembershipChange"/> into steps and judges them against a fresh <see cref="MembershipView"/>.
/// A new voter is added as an observer first and promoted in a second step, so it has synced (and is judged caught
/// up by its zxid) while it cannot yet weaken the quorum. The checks that guard each step are also run again by the
/// run right before that step (<see cref="StepChecks"/>).
/// </summary>
public static class MembershipPlanner
{
    public const int MaxVotersPerDatacenter = 5;

    public static MembershipPlan Plan(ClusterDefinition cluster, MembershipView view, MembershipChange change, string? lockHolder, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(change);
        var checks = ImmutableArray.CreateBuilder<MaintenanceCheck>();
        var advice = ImmutableArray.CreateBuilder<string>();
        var (steps, problem) = Steps(view, change);
        checks.Add(problem is null
            ? new(MembershipRules.RequestValid, change.ToString(), true, $"{steps.Length} step(s): {string.Join("; ", steps.Select(s => s.Description))}")
            : new(MembershipRules.RequestValid, change.ToString(), false, problem, "name a server and role the change applies to"));

        checks.Add(ReconfigCheck(view, advice));
        checks.Add(PermissionCheck(view, cluster, advice));
        checks.Add(lockHolder is null
            ? new(MembershipRules.OneChangeInFlight, cluster.Id, true, "no membership change or maintenance run holds this cluster")
            : new(MembershipRules.OneChangeInFlight, cluster.Id, false, $"run {lockHolder} holds this cluster", $"let run {lockHolder} finish, or abort it"));
        checks.Add(SettledCheck(view));

        if (!steps.IsEmpty)
        {
            checks.AddRange(StepChecks(view, steps[0], change));
            foreach (var later in steps.Skip(1))
                checks.AddRange(StepChecks(view, later, change).Where(c => c.Rule == MembershipRules.CaughtUp));
            checks.AddRange(SeedRules(view, steps[^1].VotersAfter, change));
        }

        var configAfter = ConfigAfter(view, steps);
        if (checks.Any(c => !c.Passed && c.Rule is MembershipRules.ReconfigEnabled or MembershipRules.ReconfigPermitted))
            advice.Add(RollingRestartAlternative(configAfter));
        return new MembershipPlan(cluster.Id, change, view.ConfigVersion, steps, checks.ToImmutable(), configAfter, now)
        {
            Advice = advice.ToImmutable(),
            Shape = change.Kind == MembershipChangeKind.AddVoter && steps.Length == 2
                ? $"server.{change.ServerId} joins as an observer first and becomes a voter only once it has caught up (zxid within {change.MaxZxidLag} of the leader): a voter that has not synced would count toward the quorum without holding the data."
                : null,
        };
    }

    /// <summary>The checks that must pass right before a step runs (the plan runs them for its first step).</summary>
    public static ImmutableArray<MaintenanceCheck> StepChecks(MembershipView view, MembershipStepPlan step, MembershipChange change)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(change);
        var checks = ImmutableArray.CreateBuilder<MaintenanceCheck>();
        var down = step.VotersBefore.Select(id => view.Server(id)).Where(s => s is not { VotesNow: true }).ToList();
        checks.Add(down.Count == 0
            ? new(MembershipRules.VotersServing, "voters", true, $"all {step.VotersBefore.Length} voters lead or follow")
            : new(MembershipRules.VotersServing, "voters", false,
                string.Join("; ", down.Select((s, i) => s is null ? $"server.{step.VotersBefore[i]} was not probed" : $"{s} is {s.Error ?? s.Mode?.ToString().ToLowerInvariant() ?? "down"}")),
                "bring every voter back (or remove the dead one first, on its own) before changing the membership"));

        var followers = step.VotersBefore.Length - 1;
        checks.Add(view.SyncedFollowers is { } synced && synced >= followers
            ? new(MembershipRules.FollowersSynced, view.Leader?.ToString() ?? "leader", true, $"the leader counts {synced} of {followers} voting followers synced")
            : new(MembershipRules.FollowersSynced, view.Leader?.ToString() ?? "leader", false,
                view.SyncedFollowers is { } s ? $"the leader counts {s} of {followers} voting followers synced" : "the leader did not report zk_synced_followers (no leader, or mntr refused)",
                "wait until every follower has synced (allow mntr in 4lw.commands.whitelist if it is refused)"));

        var remaining = step.VotersBefore.Intersect(step.VotersAfter).Count();
        checks.Add(remaining >= step.QuorumBefore
            ? new(MembershipRules.MajorityKept, step.Description, true, $"{remaining} of the {step.VotersBefore.Length} current voters stay voters (a quorum of them is {step.QuorumBefore})")
            : new(MembershipRules.MajorityKept, step.Description, false,
                $"only {remaining} of the {step.VotersBefore.Length} current voters would stay voters, fewer than their quorum of {step.QuorumBefore}: the new voters' quorum need not include any server that holds every committed write",
                "remove or demote fewer voters per change (one at a time), adding voters first when shrinking"));

        var becomesVoter = step.VotersAfter.Except(step.VotersBefore).ToList();
        var upAfter = step.VotersAfter.Count(id => view.Server(id) is { } s && (s.VotesNow || (becomesVoter.Contains(id) && s.Serving)));
        checks.Add(upAfter >= step.QuorumAfter
            ? new(MembershipRules.QuorumAfter, step.Description, true, $"{upAfter} of the {step.VotersAfter.Length} voters after the step serve (quorum {step.QuorumAfter})")
            : new(MembershipRules.QuorumAfter, step.Description, false,
                $"only {upAfter} of the {step.VotersAfter.Length} voters after the step serve, fewer than their quorum of {step.QuorumAfter}: the ensemble would stop serving",
                "bring the voters of the new configuration up first"));

        foreach (var id in step.Kind == MembershipChangeKind.AddObserver ? step.ServerIds : [.. becomesVoter])
            checks.Add(CaughtUp(view, id, change.MaxZxidLag, asVoter: step.Kind != MembershipChangeKind.AddObserver));
        return checks.ToImmutable();
    }

    private static MaintenanceCheck CaughtUp(MembershipView view, int id, long maxLag, bool asVoter)
    {
        var subject = $"server.{id.ToString(CultureInfo.InvariantCulture)}";
        var server = view.Server(id);
        if (server is not { Serving: true })
            return new(MembershipRules.CaughtUp, subject, false,
                $"{server?.ToString() ?? subject} is not serving ({server?.Error ?? "not reachable"}): it has not synced with the leader",
                "start it with the ensemble's current configuration plus its own server line, and wait until it answers srvr as a follower or observer");
        if (!asVoter)
            return new(MembershipRules.CaughtUp, subject, true, $"{server} serves ({server.Mode?.ToString().ToLowerInvariant()}, zxid {server.Zxid})");
        if (view.Leader?.Zxid is not { } leader || server.Zxid is not { } own)
            return new(MembershipRules.CaughtUp, subject, false, "the zxid of the leader or of the server is unknown", "wait for a leader, and for srvr to answer on both");
        var lag = leader.Epoch != own.Epoch ? long.MaxValue : Math.Max(0, leader.Counter - own.Counter);
        return lag <= maxLag
            ? new(MembershipRules.CaughtUp, subject, true, $"{server} is {lag} transaction(s) behind the leader (zxid {own}, leader {leader})")
            : new(MembershipRules.CaughtUp, subject, false,
                lag == long.MaxValue ? $"{server} is in epoch {own.Epoch}, the leader in {leader.Epoch}" : $"{server} is {lag} transactions behind the leader (zxid {own}, leader {leader}; at most {maxLag})",
                "wait until it has caught up with the leader");
    }

    private static IEnumerable<MaintenanceCheck> SeedRules(MembershipView view, ImmutableArray<int> votersAfter, MembershipChange change)
    {
        var count = votersAfter.Length;
        var word = MembershipChange.AcknowledgementFor(count);
        var acknowledged = string.Equals(change.Acknowledgement?.Trim(), word, StringComparison.OrdinalIgnoreCase);
        if (count % 2 == 1)
            yield return new(MembershipRules.OddVoters, "voters", true, $"{count} voters after the change");
        else
            yield return new(MembershipRules.OddVoters, "voters", acknowledged,
                $"{count} voters after the change: an even count tolerates no more failures than {count - 1} and makes every write wait for one more voter" + (acknowledged ? $"; acknowledged ('{word}')" : ""),
                $"type '{word}' as the acknowledgement, or plan a change that keeps the voter count odd");
        if (count >= 3)
            yield return new(MembershipRules.MinimumVoters, "voters", true, $"{count} voters (at least 3)");
        else
            yield return new(MembershipRules.MinimumVoters, "voters", acknowledged,
                $"{count} voter(s) after the change: no failure is tolerated" + (acknowledged ? $"; acknowledged ('{word}')" : ""),
                $"type '{word}' as the acknowledgement, or keep at least 3 voters");
        var crowded = votersAfter.Select(id => view.Server(id)?.Datacenter ?? (id == change.ServerId ? change.Datacenter : null))
            .OfType<string>().GroupBy(dc => dc, StringComparer.Ordinal).Where(g => g.Count() > MaxVotersPerDatacenter).ToList();
        yield return crowded.Count == 0
            ? new(MembershipRules.VotersPerDatacenter, "datacenters", true, $"no datacenter holds more than {MaxVotersPerDatacenter} voters")
            : new(MembershipRules.VotersPerDatacenter, "datacenters", false,
                string.Join("; ", crowded.Select(g => $"{g.Key} would hold {g.Count()} voters")),
                $"add observers instead of voters beyond {MaxVotersPerDatacenter} in one datacenter (more voters slow every write and election)");
    }

    private static MaintenanceCheck ReconfigCheck(MembershipView view, ImmutableArray<string>.Builder advice)
    {
        switch (view.Reconfig)
        {
            case ReconfigAvailability.Enabled:
                return new(MembershipRules.ReconfigEnabled, "servers", true, "the servers accept reconfig (reconfigEnabled=true)");
            case ReconfigAvailability.Disabled:
                advice.Add(DisabledAdvice);
                return new(MembershipRules.ReconfigEnabled, "servers", false, "the servers answer ReconfigDisabled: dynamic reconfiguration is off (the default since 3.5.3)",
                    "add reconfigEnabled=true to every server's zoo.cfg and restart them one at a time, or use the rolling-restart procedure below");
            case ReconfigAvailability.Standalone:
                return new(MembershipRules.ReconfigEnabled, "servers", false, "the server runs standalone: there is no quorum to reconfigure",
                    "run it with standaloneEnabled=false and a dynamic config file, then add servers");
            case ReconfigAvailability.InProgress:
                return new(MembershipRules.ReconfigEnabled, "servers", false, "another reconfiguration is being committed now", "plan again in a moment");
            default:
                return new(MembershipRules.ReconfigEnabled, "servers", false, $"whether the servers accept reconfig is unknown ({view.ReconfigDetail})", "check that the ensemble serves and plan again");
        }
    }

    public const string DisabledAdvice =
        "Turn dynamic reconfiguration on: add 'reconfigEnabled=true' to every server's zoo.cfg (ZooKeeper 3.5.3+ has it off by default; " +
        "3.5+ also wants 'standaloneEnabled=false' and the membership in a 'dynamicConfigFile'), then restart the servers one at a time with the maintenance rolling restart (leader last).";

    private static MaintenanceCheck PermissionCheck(MembershipView view, ClusterDefinition cluster, ImmutableArray<string>.Builder advice)
    {
        var user = view.AuthenticatedAs;
        var writable = view.ConfigAcl.Any(a => a.Permissions.HasFlag(ZooKeeper.Permissions.Write)
            && (a.Scheme == "world" || (user is not null && a.Scheme == "digest" && a.Id.StartsWith(user + ":", StringComparison.Ordinal))));
        if (writable)
            return new(MembershipRules.ReconfigPermitted, ConfigNodeSubject, true, "the ACL of /zookeeper/config lets this session write it");
        if (string.Equals(user, "super", StringComparison.Ordinal))
            return new(MembershipRules.ReconfigPermitted, ConfigNodeSubject, true, "the dashboard authenticates as the digest user 'super' (the superDigest user bypasses ACLs)");
        // Neither skipACL nor the superDigest can be read from outside: the servers say so only by answering the change.
        advice.Add(AclAdvice(cluster));
        return new(MembershipRules.ReconfigPermitted, ConfigNodeSubject, true,
            $"/zookeeper/config is {string.Join(", ", view.ConfigAcl.Select(a => $"{a.Scheme}:{a.Id}:{a.Permissions}"))}; the dashboard authenticates as {(user is null ? "nobody" : $"'{user}'")}: " +
            "only the superuser, or servers run with skipACL=yes, may reconfig. Whether these servers skip ACLs shows only when the first step runs (NoAuth stops it, changing nothing)");
    }

    private const string ConfigNodeSubject = "/zookeeper/config";

    public static string AclAdvice(ClusterDefinition cluster) =>
        "reconfig writes /zookeeper/config, whose ACL lets nobody but the superuser write: start every server with " +
        "'-Dzookeeper.DigestAuthenticationProvider.superDigest=super:<base64 SHA-1 of super:password>' (print it with " +
        "'java -cp <zookeeper jars> org.apache.zookeeper.server.auth.DigestAuthenticationProvider super:password') and set " +
        $"'Dashboard:Clusters:{cluster?.SettingsIndex?.ToString(CultureInfo.InvariantCulture) ?? "N"}:Digest=super:password'; or run the servers with " +
        "'-Dzookeeper.skipACL=yes' (every ACL is then ignored).";

    public static string RollingRestartAlternative(ImmutableArray<string> configAfter) =>
        "Without reconfig: write the membership below into every server's configuration (zoo.cfg or its dynamic config file), start a new server with it, " +
        "then restart the servers one at a time with the maintenance rolling restart (each restart waits until the node has caught up; leader last): " +
        string.Join("  ", configAfter);

    /// <summary>The incremental reconfigs for a change: joining lines carry the role each server takes.</summary>
    public static (ImmutableArray<MembershipStepPlan> Steps, string? Problem) Steps(MembershipView view, MembershipChange change)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(change);
        if (change.ServerIds.IsDefaultOrEmpty) return ([], "no server id given");
        var voters = view.Voters.Select(m => m.Id).ToImmutableArray();
        var id = change.ServerId;
        var member = view.Members.FirstOrDefault(m => m.Id == id);
        switch (change.Kind)
        {
            case MembershipChangeKind.AddObserver or MembershipChangeKind.AddVoter:
                if (member is not null)
                    return change.Kind == MembershipChangeKind.AddVoter && member.IsObserver
                        ? Steps(view, MembershipChange.Promote(id) with { Acknowledgement = change.Acknowledgement, MaxZxidLag = change.MaxZxidLag })
                        : ([], $"server.{id} is already a member ({(member.IsObserver ? "observer" : "voter")})");
                if (change.ServerIds.Length != 1) return ([], "add one server per change");
                if (change.Host is not { Length: > 0 } host || change.QuorumPort is not { } q || change.ElectionPort is not { } e || change.ClientPort is not { } c)
                    return ([], $"adding server.{id} needs its host, quorum port, election port and client port");
                if (id < 1) return ([], "a server id is a positive number (its myid)");
                var clash = view.Members.FirstOrDefault(m => m.Host == host && (m.QuorumPort == q || m.ElectionPort == e || m.QuorumPort == e || m.ElectionPort == q));
                if (clash is not null) return ([], $"server.{clash.Id} already uses {host}:{q} or {host}:{e}");
                var observerLine = Line(id, host, q, e, observer: true, host, c);
                var add = new MembershipStepPlan(0, MembershipChangeKind.AddObserver, [id], observerLine, null, voters, voters);
                if (change.Kind == MembershipChangeKind.AddObserver) return ([add], null);
                var promote = new MembershipStepPlan(1, MembershipChangeKind.Promote, [id], Line(id, host, q, e, observer: false, host, c), null, voters, voters.Add(id));
                return ([add, promote], null);

            case MembershipChangeKind.Remove:
                var unknown = change.ServerIds.Where(i => view.Members.All(m => m.Id != i)).ToList();
                if (unknown.Count > 0) return ([], $"server.{string.Join(", server.", unknown)} is not a member");
                var leaving = string.Join(',', change.ServerIds.Select(i => i.ToString(CultureInfo.InvariantCulture)));
                return ([new(0, MembershipChangeKind.Remove, change.ServerIds, null, leaving, voters, [.. voters.Except(change.ServerIds)])], null);

            case MembershipChangeKind.Promote or MembershipChangeKind.Demote:
                if (member is null) return ([], $"server.{id} is not a member");
                var toObserver = change.Kind == MembershipChangeKind.Demote;
                if (member.IsObserver == toObserver) return ([], $"server.{id} is already {(toObserver ? "an observer" : "a voter")}");
                var port = view.Server(id)?.ClientPort ?? member.ClientPort;
                if (port is null) return ([], $"the client port of server.{id} is unknown");
                var line = Line(id, member.Host, member.QuorumPort, member.ElectionPort, toObserver, member.ClientHost ?? member.ClientAddressHost, port.Value);
                return ([new(0, change.Kind, [id], line, null, voters, toObserver ? [.. voters.Where(v => v != id)] : voters.Add(id))], null);
        }
        return ([], "unknown change");
    }

    public static string Line(int id, string host, int quorumPort, int electionPort, bool observer, string clientHost, int clientPort) =>
        string.Create(CultureInfo.InvariantCulture,
            $"server.{id}={Bracket(host)}:{quorumPort}:{electionPort}:{(observer ? "observer" : "participant")};{Bracket(clientHost)}:{clientPort}");

    private static string Bracket(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;

    private static MaintenanceCheck SettledCheck(MembershipView view)
    {
        var behind = view.Servers.Where(s => s.IsMember && s.Serving && s.ConfigVersion is { } v && v != view.ConfigVersion).ToList();
        return behind.Count == 0
            ? new(MembershipRules.ConfigSettled, "config", true, $"every serving member reports config version {MembershipView.VersionText(view.ConfigVersion)}")
            : new(MembershipRules.ConfigSettled, "config", false,
                string.Join("; ", behind.Select(s => $"{s} reports version {MembershipView.VersionText(s.ConfigVersion!.Value)}")) + $", /zookeeper/config has {MembershipView.VersionText(view.ConfigVersion)}",
                "wait until the last reconfiguration has reached every server");
    }

    /// <summary>The <c>server.N=</c> lines after every step.</summary>
    public static ImmutableArray<string> ConfigAfter(MembershipView view, ImmutableArray<MembershipStepPlan> steps)
    {
        ArgumentNullException.ThrowIfNull(view);
        var lines = view.Members.ToDictionary(m => m.Id, m => Line(m.Id, m.Host, m.QuorumPort, m.ElectionPort, m.IsObserver, m.ClientHost ?? m.ClientAddressHost,
            view.Server(m.Id)?.ClientPort ?? m.ClientPort ?? 2181));
        foreach (var step in steps)
        {
            foreach (var id in step.ServerIds) if (step.Leaving is not null) lines.Remove(id);
            if (step.Joining is not null) lines[step.ServerIds[0]] = step.Joining;
        }
        return [.. lines.OrderBy(p => p.Key).Select(p => p.Value)];
    }
}
