namespace Dashboard.Core.ZooKeeper;

/// <summary>One step of an all-or-nothing transaction (ZooKeeper's multi).</summary>
public abstract record TransactionOperation(string Path)
{
    public static CreateOperation Create(string path, byte[]? data = null, CreateMode mode = CreateMode.Persistent, IReadOnlyList<ZooKeeperAcl>? acl = null) =>
        new(path, data ?? [], mode, acl ?? ZooKeeperAcl.OpenUnsafe);

    public static DeleteOperation Delete(string path, int version = -1) => new(path, version);

    public static SetDataOperation SetData(string path, byte[] data, int version = -1) => new(path, data, version);

    /// <summary>Fails the transaction unless the node's version is <paramref name="version"/>.</summary>
    public static CheckVersionOperation Check(string path, int version) => new(path, version);
}

#pragma warning disable CA1819 // Data is handed to the wire as given; records keep the caller's array.
public sealed record CreateOperation(string Path, byte[] Data, CreateMode Mode, IReadOnlyList<ZooKeeperAcl> Acl) : TransactionOperation(Path);

public sealed record SetDataOperation(string Path, byte[] Data, int Version) : TransactionOperation(Path);
#pragma warning restore CA1819

public sealed record DeleteOperation(string Path, int Version) : TransactionOperation(Path);

public sealed record CheckVersionOperation(string Path, int Version) : TransactionOperation(Path);

/// <summary>The outcome of one operation of a multi or multiRead.</summary>
public abstract record OperationResult;

public sealed record CreateResult(string Path, NodeStat? Stat) : OperationResult;

public sealed record DeleteResult : OperationResult;

public sealed record SetDataResult(NodeStat Stat) : OperationResult;

public sealed record CheckResult : OperationResult;

/// <summary>
/// An operation that failed. In a failed transaction the failing operation carries the real code; the others carry
/// <see cref="ErrorCode.Ok"/> (rolled back) or <see cref="ErrorCode.RuntimeInconsistency"/> (not attempted).
/// </summary>
/// <summary>A failed operation; <see cref="Detail"/> says more when this client, not the server, failed it.</summary>
public sealed record ErrorResult(ErrorCode Code, string? Detail = null) : OperationResult;

#pragma warning disable CA1819 // See NodeData.
public sealed record DataReadResult(byte[] Data, NodeStat Stat) : OperationResult;
#pragma warning restore CA1819

public sealed record ChildrenReadResult(IReadOnlyList<string> Names) : OperationResult;

/// <summary>One read of a multiRead: each succeeds or fails on its own (no atomicity, one round trip).</summary>
public abstract record ReadOperation(string Path)
{
    public static ReadOperation GetData(string path) => new GetDataRead(path);

    public static ReadOperation GetChildren(string path) => new GetChildrenRead(path);
}

public sealed record GetDataRead(string Path) : ReadOperation(Path);

public sealed record GetChildrenRead(string Path) : ReadOperation(Path);
