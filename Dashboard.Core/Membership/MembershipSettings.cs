using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;

namespace Dashboard.Core.Membership;

/// <summary>
/// After a membership change the dashboard follows the new membership (the nodes it polls) at once, and keeps the
/// settings' own node list to say what differs and which settings lines to write so the next start agrees.
/// </summary>
public static class MembershipSettings
{
    public const string FindingCode = "settings-outdated";

    /// <summary>The cluster with <see cref="ClusterDefinition.Nodes"/> as the members now are; details of known nodes are kept.</summary>
    public static ClusterDefinition Follow(ClusterDefinition cluster, IEnumerable<EnsembleMember> members, string? newServerDatacenter = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(members);
        var nodes = members.OrderBy(m => m.Id).Select(m =>
        {
            var known = cluster.Nodes.FirstOrDefault(n => n.Id == m.Id) ?? cluster.SettingsNodes.FirstOrDefault(n => n.Id == m.Id);
            // A TLS cluster is polled on its secure ports, which the config's ;client part does not give: keep the known one.
            return known is not null
                ? known with { IsObserver = m.IsObserver }
                : new NodeDefinition(m.ClientAddressHost, m.ClientPort ?? 2181) { Id = m.Id, IsObserver = m.IsObserver, Datacenter = newServerDatacenter ?? cluster.Nodes.FirstOrDefault()?.Datacenter };
        }).ToImmutableArray();
        var derived = string.Join(',', cluster.Nodes.Select(n => n.Address));
        return cluster with
        {
            Nodes = nodes,
            SettingsNodes = cluster.SettingsNodes.IsDefaultOrEmpty ? cluster.Nodes : cluster.SettingsNodes,
            // A connect string the settings wrote by hand (it may carry a chroot) is kept; one made from the nodes follows them.
            ConnectString = cluster.ConnectString == derived ? string.Join(',', nodes.Select(n => n.Address)) : cluster.ConnectString,
        };
    }

    /// <summary>What differs between the settings and the membership followed, one line per server; empty when they agree.</summary>
    public static ImmutableArray<string> Differences(ClusterDefinition cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.SettingsNodes.IsDefaultOrEmpty) return [];
        var list = ImmutableArray.CreateBuilder<string>();
        foreach (var node in cluster.Nodes)
        {
            var set = cluster.SettingsNodes.FirstOrDefault(s => s.Id == node.Id);
            if (set is null) list.Add($"server.{node.Id} ({node.Address}) is a member but not in the settings");
            else if ((set.IsObserver ?? false) != (node.IsObserver ?? false))
                list.Add($"server.{node.Id} is {(node.IsObserver == true ? "an observer" : "a voter")} but {(set.IsObserver == true ? "an observer" : "a voter")} in the settings");
        }
        foreach (var set in cluster.SettingsNodes.Where(s => cluster.Nodes.All(n => n.Id != s.Id)))
            list.Add($"{set} is in the settings but no longer a member");
        return list.ToImmutable();
    }

    /// <summary>The settings lines that describe the followed membership (environment-variable form works the same with <c>__</c>).</summary>
    public static string SettingsLines(ClusterDefinition cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var prefix = $"Dashboard:Clusters:{cluster.SettingsIndex?.ToString(CultureInfo.InvariantCulture) ?? "N"}:Nodes";
        var text = new StringBuilder();
        for (var i = 0; i < cluster.Nodes.Length; i++)
        {
            var n = cluster.Nodes[i];
            var at = $"{prefix}:{i.ToString(CultureInfo.InvariantCulture)}";
            text.Append(CultureInfo.InvariantCulture, $"{at}:Address={n.Address}\n{at}:Id={n.Id}\n{at}:Observer={(n.IsObserver == true ? "true" : "false")}\n");
            if (n.Datacenter is { } dc) text.Append(CultureInfo.InvariantCulture, $"{at}:Datacenter={dc}\n");
        }
        var removed = cluster.SettingsNodes.Length - cluster.Nodes.Length;
        if (removed > 0) text.Append(CultureInfo.InvariantCulture, $"(and delete {prefix}:{cluster.Nodes.Length}..{cluster.SettingsNodes.Length - 1})\n");
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>The finding the ensemble page shows while the settings lag behind a membership change.</summary>
    public static IEnumerable<Finding> Findings(ClusterDefinition cluster)
    {
        var differences = Differences(cluster);
        if (differences.IsEmpty) yield break;
        yield return new Finding(FindingSeverity.Warning, FindingCode,
            $"The membership changed (reconfig) and the dashboard follows it, but the settings still list the old one: {string.Join("; ", differences)}. " +
            $"Update the settings so the next start agrees: {SettingsLines(cluster).Replace("\n", "  ", StringComparison.Ordinal)}");
    }
}
