using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Znodes;

/// <summary>One open level of the tree: the first names (sorted) of a node's children and how many there are.</summary>
public sealed record ZnodeTreeLevel(string Path, IReadOnlyList<string> Names, int Total)
{
    /// <summary>
    /// Names shown per level; the rest are one click away in the children grid. A whole level of 100,000 names
    /// in the tree would take a minute to render and then drop the circuit.
    /// </summary>
    public const int MaxNames = 300;

    /// <summary>The levels from the root down to the parent of <paramref name="path"/> (the root itself for "/"), listed pipelined.</summary>
    public static async Task<IReadOnlyList<ZnodeTreeLevel>> AncestorsAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parents = new List<string> { "/" };
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i < segments.Length; i++) parents.Add("/" + string.Join('/', segments.Take(i)));
        // Each level keeps the name on the way to the current node, wherever it sorts: the current node is always visible.
        return await Task.WhenAll(parents.Select((p, i) => OneAsync(client, p, cancellationToken, i < segments.Length ? segments[i] : null))).ConfigureAwait(false);
    }

    public static async Task<ZnodeTreeLevel> OneAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken, string? include = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        IReadOnlyList<string> names;
        try
        {
            names = (await client.GetChildrenAsync(path, null, cancellationToken).ConfigureAwait(false)).Names;
        }
        catch (NoNodeException)
        {
            names = [];
        }
        var sorted = names.Order(StringComparer.Ordinal).Take(MaxNames).ToList();
        if (include is not null && !sorted.Contains(include, StringComparer.Ordinal) && names.Contains(include, StringComparer.Ordinal))
        {
            sorted.Add(include);
            sorted.Sort(StringComparer.Ordinal);
        }
        return new ZnodeTreeLevel(path, sorted, names.Count);
    }
}
