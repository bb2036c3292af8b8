using System.Collections.Immutable;
using System.Diagnostics;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Ensemble;

/// <summary>
/// Polls every node of a cluster at once, each under its own timeout, and assembles the snapshot. A dead, refusing
/// or frozen node costs the poll at most its timeout and never delays the answers of the others.
/// </summary>
public sealed class EnsemblePoller(NodeProbe probe, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary><c>conf</c> is asked every this many polls (and whenever a node's membership is unknown).</summary>
    public const int ConfEvery = 10;

    // What earlier polls learned of each address, so a node that goes down keeps its identity, and polls that skip
    // conf keep the membership. Keyed by address because ids may be unknown until a node answers.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Known> _known = new(StringComparer.Ordinal);
    private long _polls;

    /// <summary>
    /// Where the membership comes from when no node gives it (4lw <c>conf</c> refused, AdminServer without membership):
    /// the <c>/zookeeper/config</c> znode, refreshed in the background every <see cref="ConfEvery"/> polls.
    /// </summary>
    public ConfigMembershipReader? ConfigMembership { get; init; }

    private sealed record Known(int? Id, bool? IsVoter, ImmutableArray<EnsembleMember> Membership, long? ConfigVersion);

    public async Task<EnsembleSnapshot> PollAsync(ClusterDefinition cluster, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var takenAt = _time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var round = Interlocked.Increment(ref _polls);
        var probes = cluster.Nodes.Select(node => ProbeBoundedAsync(node, cluster.NodeTimeout, AskConf(node, round), cluster.Tls, cancellationToken)).ToList();
        var nodes = (await Task.WhenAll(probes).ConfigureAwait(false)).Select(Remember).ToList();

        ConfigZnodeMembership? fromZnode = null;
        if (ConfigMembership is { } reader && nodes.Any(n => n.IsServing && n.Membership.IsDefaultOrEmpty))
        {
            // Used as last read; the refresh for later polls runs in the background and never delays this one.
            fromZnode = reader.Latest;
            if (fromZnode is null || round % ConfEvery == 1) reader.RequestRefresh();
        }
        return Assemble(cluster, takenAt, clock.Elapsed, nodes, fromZnode);
    }

    /// <param name="fromConfigZnode">
    /// The membership read from <c>/zookeeper/config</c>: it becomes the membership of the node it was read from when
    /// that node reported none itself, else one more view in the analysis.
    /// </param>
    public static EnsembleSnapshot Assemble(ClusterDefinition cluster, DateTimeOffset takenAt, TimeSpan duration, IReadOnlyList<NodeStatus> polled,
        ConfigZnodeMembership? fromConfigZnode = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(polled);
        var leader = polled.FirstOrDefault(n => n.Role == NodeRole.Leader);
        var nodes = polled.Select(n => n with { ZxidLag = Lag(leader, n) }).ToImmutableArray();
        ConfigZnodeMembership? unattributed = null;
        if (fromConfigZnode is { Members.IsDefaultOrEmpty: false } znode)
        {
            var index = -1;
            for (var i = 0; i < nodes.Length && index < 0; i++)
                if (nodes[i].IsServing && nodes[i].Address == znode.Server) index = i;
            if (index >= 0 && nodes[index].Membership.IsDefaultOrEmpty)
                nodes = nodes.SetItem(index, nodes[index] with
                {
                    Membership = znode.Members,
                    ConfigVersion = znode.ConfigVersion,
                    Notes = nodes[index].Notes.Add($"membership read from /zookeeper/config at {znode.ReadAt:HH:mm:ss}"),
                });
            else if (index < 0) unattributed = znode;
        }
        var analysis = QuorumAnalysis.Analyze(nodes, cluster.Nodes, unattributed);
        // After a membership change the dashboard polls the new members; the settings still listing the old ones is a finding.
        var findings = EnsembleHealth.Evaluate(nodes, analysis, cluster.Thresholds).AddRange(Membership.MembershipSettings.Findings(cluster));
        return new EnsembleSnapshot(cluster.Id, takenAt, duration, nodes, analysis, findings);
    }

    private bool AskConf(NodeDefinition node, long round) =>
        round % ConfEvery == 1 || !_known.TryGetValue(node.Address, out var known) || known.Membership.IsDefaultOrEmpty;

    private async Task<NodeStatus> ProbeBoundedAsync(NodeDefinition node, TimeSpan timeout, bool askConf, Dashboard.Core.ZooKeeper.Security.ZooKeeperTls? tls, CancellationToken cancellationToken)
    {
        // Task.Run: connection set-up (DNS, connect) must not run synchronously on the caller before the others start.
        var work = Task.Run(() => probe.ProbeAsync(node, timeout, cancellationToken, askConf, tls), cancellationToken);
        try
        {
            // A safety net over the probe's own deadline: whatever hangs, this node's answer is ready shortly after its timeout.
            return await work.WaitAsync(timeout + TimeSpan.FromMilliseconds(250), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return new NodeStatus(node.Host, node.ClientPort, NodeRole.Down)
            {
                Id = node.Id, Datacenter = node.Datacenter, IsVoter = node.IsObserver is { } o ? !o : null,
                TimedOut = true, Error = $"no answer within {timeout.TotalMilliseconds:0} ms", ResponseTime = timeout,
            };
        }
    }

    private NodeStatus Remember(NodeStatus node)
    {
        if (_known.TryGetValue(node.Address, out var known))
        {
            node = node with { Id = node.Id ?? known.Id, IsVoter = node.IsVoter ?? known.IsVoter };
            // A serving node polled without conf keeps the membership it reported last; a down node reports none.
            if (node.Membership.IsDefaultOrEmpty && node.IsServing)
                node = node with { Membership = known.Membership, ConfigVersion = known.ConfigVersion };
        }
        _known[node.Address] = new Known(node.Id, node.IsVoter, node.Membership.IsDefaultOrEmpty && known is not null ? known.Membership : node.Membership,
            node.ConfigVersion ?? known?.ConfigVersion);
        return node;
    }

    private static long? Lag(NodeStatus? leader, NodeStatus node) =>
        leader?.Zxid is { } l && node.Zxid is { } z && l.Epoch == z.Epoch && node.IsServing ? Math.Max(0, l.Counter - z.Counter) : null;
}
