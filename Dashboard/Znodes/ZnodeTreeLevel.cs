using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Znodes;

/// <summary>One open level of the tree: the first names (sorted) of a node's children and how many there are.</summary>
public sealed record ZnodeTreeLevel(string Path, IReadOnlyList<string> Names, int Total)
{
    /// <summary>Names shown per level; the rest are one click away in the children table.</summary>
    public const int MaxNames = 100;

    /// <summary>The levels from the root down to the parent of <paramref name="path"/> (the root itself for "/"), listed pipelined.</summary>
    public static async Task<IReadOnlyList<ZnodeTreeLevel>> AncestorsAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        var parents = new List<string> { "/" };
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i < segments.Length; i++) parents.Add("/" + string.Join('/', segments.Take(i)));
        return await Task.WhenAll(parents.Select(p => OneAsync(client, p, cancellationToken))).ConfigureAwait(false);
    }

    public static async Task<ZnodeTreeLevel> OneAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
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
        return new ZnodeTreeLevel(path, sorted, names.Count);
    }
}
