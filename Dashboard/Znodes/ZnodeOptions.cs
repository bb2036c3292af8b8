namespace Dashboard.Znodes;

/// <summary>Settings of the znode browser (section <c>Znodes</c>).</summary>
internal sealed class ZnodeOptions
{
    /// <summary>Operators may change znodes unless an administrator turns changes off for everyone (false).</summary>
    public bool AllowWrites { get; set; } = true;

    /// <summary>Largest frame the browser's ZooKeeper client accepts; raise with the servers' <c>jute.maxbuffer</c> for huge child lists.</summary>
    public int MaxFrameSize { get; set; } = Core.ZooKeeper.ZooKeeperClientOptions.DefaultMaxFrameSize;

    /// <summary>How long one ZooKeeper call may take before the page says the server did not answer.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a whole page or API answer may take.</summary>
    public TimeSpan PageTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest form or upload accepted by the change endpoints (node data, imports).</summary>
    public long MaxRequestBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Bounds of a subtree search.</summary>
    public int SearchMaxNodes { get; set; } = 50_000;
    public TimeSpan SearchMaxTime { get; set; } = TimeSpan.FromSeconds(10);
}
