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

/// <summary>A znode as the browser shows it: data, stat, ACL and one page of children, read together.</summary>
#pragma warning disable CA1819 // The znode's bytes as read.
public sealed record ZnodeSnapshot(string Path, byte[] Data, NodeStat Stat, IReadOnlyList<ZooKeeperAcl> Acl, ChildrenPage Children);
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
        // Sent together: three requests in flight, one round trip of latency.
        var data = client.GetDataAsync(path, null, cancellationToken);
        var acl = client.GetAclAsync(path, cancellationToken);
        var children = client.GetChildrenAsync(path, null, cancellationToken);
        await Task.WhenAll(data, acl, children).ConfigureAwait(false);
        var page = await PageAsync(client, path, (await children.ConfigureAwait(false)).Names, query, cancellationToken).ConfigureAwait(false);
        var node = await data.ConfigureAwait(false);
        return new ZnodeSnapshot(path, node.Data, node.Stat, (await acl.ConfigureAwait(false)).Acl, page);
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
