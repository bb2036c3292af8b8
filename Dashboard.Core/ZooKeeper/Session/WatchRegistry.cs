namespace Dashboard.Core.ZooKeeper.Session;

internal enum WatchKind { Data, Exist, Child }

/// <summary>
/// The watches the server holds for this session, by server path. A firing removes them (ZooKeeper watches are
/// one-shot), and the whole set is re-sent after a reconnect so a caller keeps its watches across servers.
/// </summary>
internal sealed class WatchRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _child = new(StringComparer.Ordinal);

    public void Add(WatchKind kind, string serverPath, Action<WatchedEvent> watcher)
    {
        var map = kind switch { WatchKind.Data => _data, WatchKind.Exist => _exist, _ => _child };
        lock (_lock)
        {
            if (!map.TryGetValue(serverPath, out var set)) map[serverPath] = set = [];
            set.Add(watcher);
        }
    }

    /// <summary>Removes and returns the watchers a server event triggers (each once, even if set several ways).</summary>
    public IReadOnlyCollection<Action<WatchedEvent>> Take(WatchEventType type, string serverPath)
    {
        var triggered = new HashSet<Action<WatchedEvent>>();
        lock (_lock)
        {
            switch (type)
            {
                case WatchEventType.NodeCreated:
                case WatchEventType.NodeDataChanged:
                    Move(_data, serverPath, triggered);
                    Move(_exist, serverPath, triggered);
                    break;
                case WatchEventType.NodeDeleted:
                    Move(_data, serverPath, triggered);
                    Move(_exist, serverPath, triggered);
                    Move(_child, serverPath, triggered);
                    break;
                case WatchEventType.NodeChildrenChanged:
                    Move(_child, serverPath, triggered);
                    break;
            }
        }
        return triggered;
    }

    public (string[] Data, string[] Exist, string[] Child) Paths()
    {
        lock (_lock) return ([.. _data.Keys], [.. _exist.Keys], [.. _child.Keys]);
    }

    public int Count
    {
        get { lock (_lock) return _data.Count + _exist.Count + _child.Count; }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _data.Clear();
            _exist.Clear();
            _child.Clear();
        }
    }

    private static void Move(Dictionary<string, HashSet<Action<WatchedEvent>>> map, string path, HashSet<Action<WatchedEvent>> into)
    {
        if (map.Remove(path, out var set)) into.UnionWith(set);
    }
}
