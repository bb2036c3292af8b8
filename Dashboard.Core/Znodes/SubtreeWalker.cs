using System.Diagnostics;
using System.Text.RegularExpressions;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>
/// A walk's result: the paths seen (root first, breadth first) and whether a bound stopped it early. Nodes whose
/// children could not be listed (not authorized, a reply too large) are still in <see cref="Paths"/> and listed in
/// <see cref="Skipped"/> with the reason; their subtrees are not walked.
/// </summary>
public sealed record SubtreeWalk(IReadOnlyList<string> Paths, int Visited, bool Truncated, TimeSpan Elapsed, string? StoppedBecause)
{
    public IReadOnlyList<SkippedNode> Skipped { get; init; } = [];

    /// <summary>The stat of each listed node as its children were read (absent for skipped nodes).</summary>
    public IReadOnlyDictionary<string, NodeStat> Stats { get; init; } = new Dictionary<string, NodeStat>();
}

/// <summary>A node a walk, export or plan could not read, and why (in words).</summary>
public sealed record SkippedNode(string Path, string Reason);

/// <summary>How far a running walk has got, for a progress display.</summary>
public sealed record WalkProgress(int Visited, int Matches, TimeSpan Elapsed);

/// <summary>
/// Breadth-first walk of a subtree, bounded by nodes visited and by time, listing children of a whole level
/// pipelined (chunks of 256 in flight) instead of one round trip per node.
/// </summary>
public static class SubtreeWalker
{
    private const int Chunk = 256;

    public static Task<SubtreeWalk> CollectAsync(ZooKeeperClient client, string root, int maxNodes, CancellationToken cancellationToken = default) =>
        WalkAsync(client, root, maxNodes, TimeSpan.FromSeconds(30), null, null, cancellationToken);

    /// <param name="match">Which visited paths to keep; null keeps all.</param>
    public static async Task<SubtreeWalk> WalkAsync(ZooKeeperClient client, string root, int maxNodes, TimeSpan maxTime,
        Func<string, bool>? match, IProgress<WalkProgress>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ZooKeeperPath.Validate(root);
        var clock = Stopwatch.StartNew();
        var kept = new List<string>();
        var skipped = new List<SkippedNode>();
        var stats = new Dictionary<string, NodeStat>(StringComparer.Ordinal);
        var visited = 0;
        string? stopped = null;
        var level = new List<string> { root };
        if (await client.ExistsAsync(root, null, cancellationToken).ConfigureAwait(false) is null) throw new NoNodeException(root);

        while (level.Count > 0 && stopped is null)
        {
            var next = new List<string>();
            foreach (var chunk in level.Chunk(Chunk))
            {
                if (visited + chunk.Length > maxNodes) { stopped = $"the limit of {maxNodes:N0} nodes visited"; break; }
                if (clock.Elapsed > maxTime) { stopped = $"the time limit of {maxTime.TotalSeconds:0.#} s"; break; }
                var lists = await Task.WhenAll(chunk.Select(p => ChildrenOrEmptyAsync(client, p, cancellationToken))).ConfigureAwait(false);
                for (var i = 0; i < chunk.Length; i++)
                {
                    visited++;
                    if (match is null || match(chunk[i])) kept.Add(chunk[i]);
                    switch (lists[i])
                    {
                        case NodeChildren children:
                            stats[chunk[i]] = children.Stat;
                            next.AddRange(children.Names.Select(name => ZnodeReader.ChildPath(chunk[i], name)));
                            break;
                        case SkippedNode skip:
                            skipped.Add(skip);
                            break;
                    }
                }
                progress?.Report(new WalkProgress(visited, kept.Count, clock.Elapsed));
            }
            level = next;
        }
        return new SubtreeWalk(kept, visited, stopped is not null, clock.Elapsed, stopped) { Skipped = skipped, Stats = stats };
    }

    /// <summary>
    /// The node's children, null when it was deleted while we walk (it simply has none for us), or why they could
    /// not be read: one unreadable node must not fail the whole walk.
    /// </summary>
    private static async Task<object?> ChildrenOrEmptyAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetChildrenAsync(path, null, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return null;
        }
        catch (ZooKeeperException e) when (ZnodeErrors.IsPerNode(e))
        {
            return new SkippedNode(path, ZnodeErrors.Describe(e));
        }
    }

    /// <summary>
    /// A search pattern: <c>*</c> matches within one path segment, <c>**</c> across segments, <c>?</c> one
    /// character. Without a '/' the pattern is matched against the node's name only; otherwise against the path.
    /// </summary>
    public static Func<string, bool> PathPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        pattern = pattern.Trim();
        var byName = !pattern.Contains('/', StringComparison.Ordinal);
        if (byName && pattern.IndexOfAny(['*', '?']) < 0) pattern = "*" + pattern + "*";
        var body = Regex.Escape(pattern)
            .Replace("\\*\\*", "\u0001", StringComparison.Ordinal)
            .Replace("\\*", "[^/]*", StringComparison.Ordinal)
            .Replace("\\?", "[^/]", StringComparison.Ordinal)
            .Replace("\u0001", ".*", StringComparison.Ordinal);
        var regex = new Regex("^" + body + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        return byName ? path => regex.IsMatch(path[(path.LastIndexOf('/') + 1)..]) : regex.IsMatch;
    }
}
