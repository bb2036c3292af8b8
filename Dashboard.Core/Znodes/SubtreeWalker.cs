using System.Diagnostics;
using System.Text.RegularExpressions;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Znodes;

/// <summary>A walk's result: the paths seen (root first, breadth first) and whether a bound stopped it early.</summary>
public sealed record SubtreeWalk(IReadOnlyList<string> Paths, int Visited, bool Truncated, TimeSpan Elapsed, string? StoppedBecause);

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
                    next.AddRange(lists[i].Select(name => ZnodeReader.ChildPath(chunk[i], name)));
                }
                progress?.Report(new WalkProgress(visited, kept.Count, clock.Elapsed));
            }
            level = next;
        }
        return new SubtreeWalk(kept, visited, stopped is not null, clock.Elapsed, stopped);
    }

    /// <summary>A node deleted while we walk simply has no children for us.</summary>
    private static async Task<IReadOnlyList<string>> ChildrenOrEmptyAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetChildrenAsync(path, null, cancellationToken).ConfigureAwait(false)).Names;
        }
        catch (NoNodeException)
        {
            return [];
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
