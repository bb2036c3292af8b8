using System.Text;
using Dashboard.Core.ZooKeeper.Session;
using Dashboard.Core.ZooKeeper.Wire;

namespace Dashboard.Core.ZooKeeper;

/// <summary>
/// An asynchronous ZooKeeper client speaking the binary protocol: one session, pipelined requests, watches that
/// survive reconnects. Every call validates its path before sending, honours its cancellation token, and fails after
/// <see cref="ZooKeeperClientOptions.RequestTimeout"/>.
/// </summary>
public sealed class ZooKeeperClient : IAsyncDisposable
{
    private readonly SessionConnection _session;
    private volatile bool _multiReadUnsupported;

    private ZooKeeperClient(ConnectString connectString, ZooKeeperClientOptions options)
    {
        ConnectString = connectString;
        Options = options;
        _session = new SessionConnection(connectString, options);
    }

    /// <summary>Opens a session with one of the hosts of <paramref name="connectString"/> and returns once it is connected.</summary>
    public static async Task<ZooKeeperClient> ConnectAsync(string connectString, ZooKeeperClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ZooKeeperClientOptions();
        options.Validate();
        var client = new ZooKeeperClient(ZooKeeper.ConnectString.Parse(connectString), options);
        try
        {
            await client._session.StartAsync(options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ConnectString ConnectString { get; }
    public ZooKeeperClientOptions Options { get; }
    public SessionState State => _session.State;
    public long SessionId => _session.SessionId;

    /// <summary>The chroot every path is prefixed with on the wire (from the connect string), or null.</summary>
    public string? Chroot => _session.Chroot;
    public TimeSpan SessionTimeout => _session.NegotiatedTimeout;

    /// <summary>The server of the current connection (<c>host:port</c>), or null while disconnected.</summary>
    public string? ConnectedServer => _session.ConnectedServer;

    /// <summary>Why the last connection ended (null until one has).</summary>
    public Exception? LastConnectionError => _session.LastConnectionError;

    /// <summary>Connections ended because the server broke the protocol (bad frame, unexpected xid).</summary>
    public int ProtocolErrors => _session.ProtocolErrors;

    /// <summary>Connections opened so far (1 until the first reconnect).</summary>
    public int Connections => _session.Connections;

    /// <summary>Session state changes, raised in order on the client's callback dispatcher.</summary>
    public event EventHandler<SessionStateChange>? StateChanged
    {
        add => _session.StateChanged += value;
        remove => _session.StateChanged -= value;
    }

    /// <summary>A watcher or state handler threw; the exception is reported here instead of being lost.</summary>
    public event EventHandler<Exception>? CallbackFailed
    {
        add => _session.CallbackFailed += value;
        remove => _session.CallbackFailed -= value;
    }

    /// <summary>The node's metadata, or null when it does not exist. A watcher hears of its creation, change or deletion.</summary>
    public Task<NodeStat?> ExistsAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        Submit(new ExistsRequest(path, ServerPath(path), watcher), cancellationToken);

    public Task<NodeData> GetDataAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        Submit(new GetDataRequest(path, ServerPath(path), watcher), cancellationToken);

    /// <summary>Replaces the data if the node's version is <paramref name="version"/> (-1: any version).</summary>
    public Task<NodeStat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version = -1, CancellationToken cancellationToken = default) =>
        Submit(new SetDataRequest(path, ServerPath(path), data, version), cancellationToken);

    /// <summary>As <see cref="SetDataAsync"/>, with null (<paramref name="data"/> null) kept apart from empty.</summary>
    public Task<NodeStat> SetDataOrNullAsync(string path, byte[]? data, int version = -1, CancellationToken cancellationToken = default) =>
        Submit(new SetDataRequest(path, ServerPath(path), data, version, nullData: data is null), cancellationToken);

    public Task<NodeChildren> GetChildrenAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        Submit(new GetChildrenRequest(path, ServerPath(path), watcher), cancellationToken);

    /// <summary>Creates a node and returns its actual path (sequential nodes get a ten-digit suffix).</summary>
    public async Task<string> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<ZooKeeperAcl>? acl = null, CancellationToken cancellationToken = default) =>
        (await CreateNodeAsync(path, data, mode, acl, withStat: false, cancellationToken).ConfigureAwait(false)).Path;

    /// <summary>Creates a node (create2) and returns its actual path with its metadata.</summary>
    public Task<CreatedNode> CreateWithStatAsync(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<ZooKeeperAcl>? acl = null, CancellationToken cancellationToken = default) =>
        CreateNodeAsync(path, data, mode, acl, withStat: true, cancellationToken);

    /// <summary>As <see cref="CreateWithStatAsync"/>, with a null value (<paramref name="data"/> null) kept apart from an empty one.</summary>
    public Task<CreatedNode> CreateOrNullWithStatAsync(string path, byte[]? data, CreateMode mode = CreateMode.Persistent, IReadOnlyList<ZooKeeperAcl>? acl = null, CancellationToken cancellationToken = default) =>
        CreateNodeAsync(path, data, mode, acl, withStat: true, cancellationToken, nullData: data is null);

    private Task<CreatedNode> CreateNodeAsync(string path, ReadOnlyMemory<byte> data, CreateMode mode, IReadOnlyList<ZooKeeperAcl>? acl, bool withStat, CancellationToken cancellationToken, bool nullData = false)
    {
        var sequential = mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential;
        ZooKeeperPath.Validate(path, sequential);
        acl ??= ZooKeeperAcl.OpenUnsafe;
        if (acl.Count == 0) throw new ArgumentException("A node needs at least one ACL entry.", nameof(acl));
        return Submit(new CreateRequest(path, ZooKeeperPath.Prepend(_session.Chroot, path), data, acl, mode, withStat, _session.Chroot, nullData), cancellationToken);
    }

    /// <summary>Deletes a node if its version is <paramref name="version"/> (-1: any version).</summary>
    public Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default) =>
        Submit(new DeleteRequest(path, ServerPath(path), version), cancellationToken);

    public Task<NodeAcl> GetAclAsync(string path, CancellationToken cancellationToken = default) =>
        Submit(new GetAclRequest(path, ServerPath(path)), cancellationToken);

    /// <summary>Replaces the ACL if its version (<see cref="NodeStat.AclVersion"/>) is <paramref name="aclVersion"/> (-1: any).</summary>
    public Task<NodeStat> SetAclAsync(string path, IReadOnlyList<ZooKeeperAcl> acl, int aclVersion = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(acl);
        if (acl.Count == 0) throw new ArgumentException("A node needs at least one ACL entry.", nameof(acl));
        return Submit(new SetAclRequest(path, ServerPath(path), acl, aclVersion), cancellationToken);
    }

    /// <summary>
    /// Applies every operation or none. On failure throws <see cref="TransactionFailedException"/> carrying the
    /// per-operation results.
    /// </summary>
    public Task<IReadOnlyList<OperationResult>> MultiAsync(IEnumerable<TransactionOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var list = operations.ToList();
        var paths = list.Select(op =>
        {
            ZooKeeperPath.Validate(op.Path, op is CreateOperation { Mode: CreateMode.PersistentSequential or CreateMode.EphemeralSequential });
            return ZooKeeperPath.Prepend(_session.Chroot, op.Path);
        }).ToList();
        return _session.SubmitAsync(new MultiRequest(list, paths, _session.Chroot), cancellationToken);
    }

    /// <summary>
    /// Several reads in one round trip (multiRead, ZooKeeper 3.6+); each read succeeds or fails on its own
    /// (<see cref="ErrorResult"/>). Older servers get the reads one by one, pipelined; so does a batch whose reply
    /// would exceed the frame limit, where a value too large on its own is an <see cref="ErrorResult"/> saying so.
    /// </summary>
    public async Task<IReadOnlyList<OperationResult>> MultiReadAsync(IEnumerable<ReadOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var list = operations as IReadOnlyList<ReadOperation> ?? operations.ToList();
        var paths = new string[list.Count];
        for (var i = 0; i < list.Count; i++) paths[i] = ServerPath(list[i].Path);
        if (!_multiReadUnsupported)
        {
            try
            {
                return await _session.SubmitAsync(new MultiReadRequest(list, paths), cancellationToken).ConfigureAwait(false);
            }
            catch (ReplyTooLargeException) when (list.Count > 1)
            {
                // Together the values exceed the frame limit: read them one by one, so only a value too large on its
                // own fails (with its reason) and the rest are read.
                return await Task.WhenAll(list.Select(op => ReadOneAsync(op, cancellationToken))).ConfigureAwait(false);
            }
            catch (ReplyTooLargeException e)
            {
                return [new ErrorResult(e.Code, e.Message)];
            }
            catch (ZooKeeperException e) when (e.Code is ErrorCode.Unimplemented or ErrorCode.MarshallingError
                                               && e is not RequestTooLargeException && list.Count > 0)
            {
                _multiReadUnsupported = true;
            }
        }
        return await Task.WhenAll(list.Select(op => ReadOneAsync(op, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>
    /// The values of <paramref name="paths"/> in one multiRead, each handed to <paramref name="sink"/> as it is decoded
    /// (see <see cref="IDataReadSink"/>), with the same fallbacks as <see cref="MultiReadAsync"/>: one by one on old
    /// servers or when the reply would exceed the frame limit.
    /// </summary>
    internal async Task ReadDataAsync(IReadOnlyList<string> paths, IDataReadSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(sink);
        if (paths.Count == 0) return;
        var serverPaths = new string[paths.Count];
        for (var i = 0; i < paths.Count; i++) serverPaths[i] = ServerPath(paths[i]);
        if (!_multiReadUnsupported)
        {
            try
            {
                await _session.SubmitAsync(new MultiReadDataRequest(serverPaths, sink, paths[0]), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DataReadSinkException e)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException!);
            }
            catch (ReplyTooLargeException) when (paths.Count > 1)
            {
                // As in MultiReadAsync: no value was handed over yet (the reply was refused whole), so read each alone.
            }
            catch (ReplyTooLargeException e)
            {
                sink.Failed(0, e.Code, e.Message);
                return;
            }
            catch (ZooKeeperException e) when (e.Code is ErrorCode.Unimplemented or ErrorCode.MarshallingError && e is not RequestTooLargeException)
            {
                _multiReadUnsupported = true;
            }
        }
        await Task.WhenAll(paths.Select((path, index) => ReadOneAsync(path, index, sink, cancellationToken))).ConfigureAwait(false);
    }

    private async Task ReadOneAsync(string path, int index, IDataReadSink sink, CancellationToken cancellationToken)
    {
        NodeData data;
        try
        {
            data = await GetDataAsync(path, null, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (!e.IsTransient && e.Code != ErrorCode.SessionExpired)
        {
            sink.Failed(index, e.Code, e is ReplyTooLargeException ? e.Message : null);
            return;
        }
        sink.Read(index, data.Data, data.Stat.Version);
    }

    private async Task<OperationResult> ReadOneAsync(ReadOperation operation, CancellationToken cancellationToken)
    {
        try
        {
            if (operation is GetChildrenRead)
                return new ChildrenReadResult((await GetChildrenAsync(operation.Path, null, cancellationToken).ConfigureAwait(false)).Names);
            var data = await GetDataAsync(operation.Path, null, cancellationToken).ConfigureAwait(false);
            return new DataReadResult(data.Data, data.Stat);
        }
        catch (ZooKeeperException e) when (!e.IsTransient && e.Code != ErrorCode.SessionExpired)
        {
            return new ErrorResult(e.Code, e is ReplyTooLargeException ? e.Message : null);
        }
    }

    /// <summary>Waits until the connected server has caught up with the leader for <paramref name="path"/>.</summary>
    public Task<string> SyncAsync(string path, CancellationToken cancellationToken = default) =>
        Submit(new SyncRequest(path, ServerPath(path), _session.Chroot), cancellationToken);

    /// <summary>Adds credentials to the session; they are re-sent on every reconnect once accepted.</summary>
    public Task AddAuthAsync(string scheme, byte[] credentials, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(credentials);
        return _session.SubmitAsync(new AuthRequest(scheme, credentials), cancellationToken);
    }

    /// <summary>Authenticates with the digest scheme (<c>user:password</c>).</summary>
    public Task AddDigestAuthAsync(string user, string password, CancellationToken cancellationToken = default) =>
        AddAuthAsync("digest", Encoding.UTF8.GetBytes($"{user}:{password}"), cancellationToken);

    /// <summary>The ensemble's membership as the <c>/zookeeper/config</c> node holds it (outside any chroot).</summary>
    public Task<NodeData> GetConfigAsync(Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        _session.SubmitAsync(new GetDataRequest(ConfigNode.Path, ConfigNode.Path, watcher), cancellationToken);

    /// <summary>
    /// Incremental reconfiguration: adds <paramref name="joining"/> (<c>server.N=host:quorum:election:role;client</c>
    /// lines, comma separated) and removes <paramref name="leaving"/> (server ids, comma separated). With
    /// <paramref name="fromConfigVersion"/> other than -1 the change applies only to that configuration version.
    /// </summary>
    public Task<NodeData> ReconfigAsync(string? joining, string? leaving, long fromConfigVersion = -1, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(joining) && string.IsNullOrWhiteSpace(leaving))
            throw new ArgumentException("A reconfiguration needs servers joining or leaving.");
        return _session.SubmitAsync(new ReconfigRequest(joining, leaving, fromConfigVersion), cancellationToken);
    }

    /// <summary>Test hook: sees a copy of every reply frame received.</summary>
    internal Action<byte[]>? FrameTap
    {
        get => _session.FrameTap;
        set => _session.FrameTap = value;
    }

    internal SessionConnection Session => _session;

    private string ServerPath(string path)
    {
        ZooKeeperPath.Validate(path);
        return ZooKeeperPath.Prepend(_session.Chroot, path);
    }

    private Task<T> Submit<T>(Request<T> request, CancellationToken cancellationToken) => _session.SubmitAsync(request, cancellationToken);

    /// <summary>Closes the session (its ephemeral nodes go at once) and the connection.</summary>
    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
