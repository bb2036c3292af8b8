using System.Collections.Immutable;
using Dashboard.Core.Ensemble;

namespace Dashboard.Model;

/// <summary>Where a node sits in the topology picture.</summary>
internal sealed record TopologyNode(NodeStatus Node, double X, double Y, bool IsCentre);

/// <summary>A line from the leader to a learner, with the learner's lag.</summary>
internal sealed record TopologyLink(double X1, double Y1, double X2, double Y2, string Label, bool IsObserver);

/// <summary>
/// Places the leader in the middle and every other node on a ring around it, ordered by datacenter then id so a
/// datacenter's nodes sit together. Pure geometry, so tests can check it without rendering.
/// </summary>
internal sealed record TopologyLayout(double Width, double Height, ImmutableArray<TopologyNode> Nodes, ImmutableArray<TopologyLink> Links, ImmutableArray<(string Name, double X, double Y)> Datacenters)
{
    public const double Width0 = 640, Height0 = 380, Radius = 140;

    public static TopologyLayout For(EnsembleSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        double cx = Width0 / 2, cy = Height0 / 2;
        var leader = snapshot.Leader;
        var ring = snapshot.Nodes.Where(n => n != leader)
            .OrderBy(n => n.Datacenter ?? "", StringComparer.Ordinal).ThenBy(n => n.Id ?? int.MaxValue).ThenBy(n => n.Address, StringComparer.Ordinal)
            .ToList();
        var nodes = ImmutableArray.CreateBuilder<TopologyNode>();
        var links = ImmutableArray.CreateBuilder<TopologyLink>();
        if (leader is not null) nodes.Add(new TopologyNode(leader, cx, cy, true));
        for (var i = 0; i < ring.Count; i++)
        {
            // Start at the top and go clockwise.
            var angle = -Math.PI / 2 + 2 * Math.PI * i / Math.Max(1, ring.Count);
            var (x, y) = (cx + Radius * 1.45 * Math.Cos(angle), cy + Radius * Math.Sin(angle));
            nodes.Add(new TopologyNode(ring[i], x, y, false));
            if (leader is not null && ring[i].IsServing)
                links.Add(new TopologyLink(cx, cy, x, y, ring[i].ZxidLag is { } lag ? $"lag {lag}" : "lag ?", ring[i].Role == NodeRole.Observer));
        }
        var datacenters = ring.Where(n => n.Datacenter is not null).GroupBy(n => n.Datacenter!)
            .Select(g =>
            {
                var placed = nodes.Where(p => g.Contains(p.Node)).ToList();
                return (g.Key, placed.Average(p => p.X), placed.Min(p => p.Y) - 44);
            })
            .ToImmutableArray();
        return new TopologyLayout(Width0, Height0, nodes.ToImmutable(), links.ToImmutable(), datacenters.Length > 1 ? datacenters : []);
    }
}
