using System.Text.RegularExpressions;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

public enum ChildSort { Name, Modified, Size }

/// <summary>Which page of a node's children to show.</summary>
public sealed record ChildrenQuery(int Offset = 0, int Limit = ChildrenQuery.DefaultLimit, string? Filter = null, ChildSort Sort = ChildSort.Name, bool Descending = false)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>Sorting by time or size needs every matching child's stat; above this many we sort by name and say so.</summary>
    public const int MaxStatsForSort = 5_000;

    public ChildrenQuery Normalized() => this with
    {
        Offset = Math.Max(0, Offset),
        Limit = Math.Clamp(Limit, 1, MaxLimit),
        Filter = string.IsNullOrWhiteSpace(Filter) ? null : Filter.Trim(),
    };
}

/// <summary>One child on the visible page; <see cref="Stat"/> is null when it vanished between listing and stat.</summary>
public sealed record ChildEntry(string Name, string Path, NodeStat? Stat);

/// <summary>One page of children: totals for the whole list, entries (with stats) for the page only.</summary>
public sealed record ChildrenPage(int Total, int Matching, ChildrenQuery Query, IReadOnlyList<ChildEntry> Items, string? Note)
{
    public bool HasPrevious => Query.Offset > 0;
    public bool HasNext => Query.Offset + Items.Count < Matching;
}

/// <summary>
/// A znode as the browser shows it: data, stat, ACL and one page of children, read together. ZooKeeper gives the
/// stat without read permission (and the ACL to whoever may read or administer the node), so a node the dashboard
/// may not read still shows those, with <see cref="DataProblem"/> / <see cref="AclProblem"/> / <see cref="ChildrenProblem"/>
/// saying what could not be read and why. <see cref="DataIsNull"/> tells a null value from an empty one.
/// </summary>
#pragma warning disable CA1819 // The znode's bytes as read.
public sealed record ZnodeSnapshot(string Path, byte[] Data, NodeStat Stat, IReadOnlyList<ZooKeeperAcl> Acl, ChildrenPage Children)
{
    public bool DataIsNull { get; init; }
    public string? DataProblem { get; init; }
    public string? AclProblem { get; init; }
    public string? ChildrenProblem { get; init; }
    public bool DataReadable => DataProblem is null;
}
#pragma warning restore CA1819

/// <summary>
/// Reads a znode for display. ZooKeeper only lists all children names at once, so the names are filtered, sorted
/// and sliced in memory and only the visible page is stat'ed (pipelined): a node with 100,000 children costs one
/// list and one page of stats, and only that page reaches the browser.
/// </summary>
public static class ZnodeReader
{
    public static string ChildPath(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;

    public static async Task<ZnodeSnapshot> ReadAsync(ZooKeeperClient client, string path, ChildrenQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(query);
        ZooKeeperPath.Validate(path);
        // Sent together: four requests in flight, one round trip of latency.
        var stat = client.ExistsAsync(path, null, cancellationToken);
        var data = Try(client.GetDataAsync(path, null, cancellationToken));
        var acl = Try(client.GetAclAsync(path, cancellationToken));
        var children = Try(client.GetChildrenAsync(path, null, cancellationToken));
        await Task.WhenAll(stat, data, acl, children).ConfigureAwait(false);
        var nodeStat = await stat.ConfigureAwait(false) ?? throw new NoNodeException(path);
        var (node, dataProblem) = await data.ConfigureAwait(false);
        var (nodeAcl, aclProblem) = await acl.ConfigureAwait(false);
        var (list, childrenProblem) = await children.ConfigureAwait(false);
        var page = list is null ? new ChildrenPage(nodeStat.ChildrenCount, 0, query.Normalized(), [], null)
            : await PageAsync(client, path, list.Names, query, cancellationToken).ConfigureAwait(false);
        return new ZnodeSnapshot(path, node?.Data ?? [], node?.Stat ?? nodeStat, nodeAcl?.Acl ?? [], page)
        {
            DataIsNull = node?.IsNull ?? false,
            DataProblem = dataProblem,
            AclProblem = aclProblem,
            ChildrenProblem = childrenProblem,
        };
    }

    /// <summary>A part of the node that concerns it alone (not authorized, too large) becomes a problem in words; other errors fail the read.</summary>
    private static async Task<(T? Value, string? Problem)> Try<T>(Task<T> read) where T : class
    {
        try
        {
            return (await read.ConfigureAwait(false), null);
        }
        catch (ZooKeeperException e) when (ZnodeErrors.IsPerNode(e))
        {
            return (null, ZnodeErrors.Describe(e));
        }
    }

    public static async Task<ChildrenPage> ReadChildrenAsync(ZooKeeperClient client, string path, ChildrenQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var children = await client.GetChildrenAsync(path, null, cancellationToken).ConfigureAwait(false);
        return await PageAsync(client, path, children.Names, query, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ChildrenPage> PageAsync(ZooKeeperClient client, string path, IReadOnlyList<string> names, ChildrenQuery query, CancellationToken cancellationToken)
    {
        query = query.Normalized();
        var matcher = NameMatcher(query.Filter);
        var matching = matcher is null ? names.ToList() : names.Where(matcher).ToList();
        string? note = null;
        IReadOnlyList<ChildEntry> items;
        if (query.Sort != ChildSort.Name && matching.Count <= ChildrenQuery.MaxStatsForSort)
        {
            var all = await StatAsync(client, path, matching, cancellationToken).ConfigureAwait(false);
            Func<ChildEntry, long> key = query.Sort == ChildSort.Modified ? e => e.Stat?.Modified.ToUnixTimeMilliseconds() ?? 0 : e => e.Stat?.DataLength ?? 0;
            var ordered = query.Descending ? all.OrderByDescending(key).ThenBy(e => e.Name, StringComparer.Ordinal) : all.OrderBy(key).ThenBy(e => e.Name, StringComparer.Ordinal);
            items = ordered.Skip(query.Offset).Take(query.Limit).ToList();
        }
        else
        {
            if (query.Sort != ChildSort.Name)
                note = $"Sorting by {(query.Sort == ChildSort.Modified ? "modified time" : "size")} needs every child's stat; with {matching.Count:N0} matching children the list is sorted by name. Narrow it with a filter first.";
            matching.Sort(StringComparer.Ordinal);
            if (query.Descending) matching.Reverse();
            var visible = matching.Skip(query.Offset).Take(query.Limit).ToList();
            items = await StatAsync(client, path, visible, cancellationToken).ConfigureAwait(false);
        }
        return new ChildrenPage(names.Count, matching.Count, query, items, note);
    }

    /// <summary>Stats for the given children, pipelined (the client caps requests in flight).</summary>
    private static async Task<IReadOnlyList<ChildEntry>> StatAsync(ZooKeeperClient client, string parent, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var stats = await Task.WhenAll(names.Select(name => client.ExistsAsync(ChildPath(parent, name), null, cancellationToken))).ConfigureAwait(false);
        return names.Select((name, i) => new ChildEntry(name, ChildPath(parent, name), stats[i])).ToList();
    }

    /// <summary>A filter is a case-insensitive substring, or a glob when it holds <c>*</c> or <c>?</c>.</summary>
    public static Func<string, bool>? NameMatcher(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return null;
        if (filter.IndexOfAny(['*', '?']) < 0) return name => name.Contains(filter, StringComparison.OrdinalIgnoreCase);
        var regex = new Regex("^" + Regex.Escape(filter).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        return regex.IsMatch;
    }
}
