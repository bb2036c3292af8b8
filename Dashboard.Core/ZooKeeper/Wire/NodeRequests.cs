using Dashboard.Core.ZooKeeper.Session;

namespace Dashboard.Core.ZooKeeper.Wire;

// Single-node operations: each request's fields and its response's reading, as zookeeper.jute defines them.

internal sealed class ExistsRequest(string clientPath, string serverPath, Action<WatchedEvent>? watcher) : Request<NodeStat?>(clientPath)
{
    public override OpCode OpCode => OpCode.Exists;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteBool(watcher is not null);
    }

    protected override bool Accepts(int error) => error == (int)ErrorCode.NoNode;

    protected override NodeStat? Read(int error, ref JuteReader body, WatchRegistry watches)
    {
        if (error == (int)ErrorCode.NoNode)
        {
            if (watcher is not null) watches.Add(WatchKind.Exist, serverPath, watcher);
            return null;
        }
        var stat = Records.ReadStat(ref body);
        if (watcher is not null) watches.Add(WatchKind.Data, serverPath, watcher);
        return stat;
    }
}

internal sealed class GetDataRequest(string clientPath, string serverPath, Action<WatchedEvent>? watcher) : Request<NodeData>(clientPath)
{
    public override OpCode OpCode => OpCode.GetData;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteBool(watcher is not null);
    }

    protected override NodeData Read(int error, ref JuteReader body, WatchRegistry watches)
    {
        var data = body.ReadBuffer();
        var stat = Records.ReadStat(ref body);
        if (watcher is not null) watches.Add(WatchKind.Data, serverPath, watcher);
        return new NodeData(data ?? [], stat, data is null);
    }
}

/// <param name="nullData">Sends a null buffer (length -1) instead of <paramref name="data"/>: the node's value becomes null, not empty.</param>
internal sealed class SetDataRequest(string clientPath, string serverPath, ReadOnlyMemory<byte> data, int version, bool nullData = false) : Request<NodeStat>(clientPath)
{
    public override OpCode OpCode => OpCode.SetData;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        if (nullData) writer.WriteNullBuffer();
        else writer.WriteBuffer(data.Span);
        writer.WriteInt(version);
    }

    protected override NodeStat Read(int error, ref JuteReader body, WatchRegistry watches) => Records.ReadStat(ref body);
}

internal sealed class GetChildrenRequest(string clientPath, string serverPath, Action<WatchedEvent>? watcher) : Request<NodeChildren>(clientPath)
{
    public override OpCode OpCode => OpCode.GetChildren2;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteBool(watcher is not null);
    }

    protected override NodeChildren Read(int error, ref JuteReader body, WatchRegistry watches)
    {
        var names = Records.ReadStrings(ref body);
        var stat = Records.ReadStat(ref body);
        if (watcher is not null) watches.Add(WatchKind.Child, serverPath, watcher);
        return new NodeChildren(names, stat);
    }
}

internal sealed class CreateRequest(string clientPath, string serverPath, ReadOnlyMemory<byte> data, IReadOnlyList<ZooKeeperAcl> acl, CreateMode mode, bool withStat, string? chroot, bool nullData = false)
    : Request<CreatedNode>(clientPath)
{
    // Containers have their own opcode and always answer with a Stat.
    public override OpCode OpCode => mode == CreateMode.Container ? OpCode.CreateContainer : withStat ? OpCode.Create2 : OpCode.Create;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        if (nullData) writer.WriteNullBuffer();
        else writer.WriteBuffer(data.Span);
        Records.WriteAcl(writer, acl);
        writer.WriteInt((int)mode);
    }

    protected override CreatedNode Read(int error, ref JuteReader body, WatchRegistry watches)
    {
        var path = ZooKeeperPath.Strip(chroot, body.ReadString() ?? serverPath);
        var stat = OpCode == OpCode.Create ? null : Records.ReadStat(ref body);
        return new CreatedNode(path, stat!);
    }
}

internal sealed class DeleteRequest(string clientPath, string serverPath, int version) : Request<bool>(clientPath)
{
    public override OpCode OpCode => OpCode.Delete;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        writer.WriteInt(version);
    }

    protected override bool Read(int error, ref JuteReader body, WatchRegistry watches) => true;
}

internal sealed class GetAclRequest(string clientPath, string serverPath) : Request<NodeAcl>(clientPath)
{
    public override OpCode OpCode => OpCode.GetAcl;

    public override void WriteBody(JuteWriter writer) => writer.WriteString(serverPath);

    protected override NodeAcl Read(int error, ref JuteReader body, WatchRegistry watches)
    {
        var acl = Records.ReadAcl(ref body);
        return new NodeAcl(acl, Records.ReadStat(ref body));
    }
}

internal sealed class SetAclRequest(string clientPath, string serverPath, IReadOnlyList<ZooKeeperAcl> acl, int aclVersion) : Request<NodeStat>(clientPath)
{
    public override OpCode OpCode => OpCode.SetAcl;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(serverPath);
        Records.WriteAcl(writer, acl);
        writer.WriteInt(aclVersion);
    }

    protected override NodeStat Read(int error, ref JuteReader body, WatchRegistry watches) => Records.ReadStat(ref body);
}

internal sealed class SyncRequest(string clientPath, string serverPath, string? chroot) : Request<string>(clientPath)
{
    public override OpCode OpCode => OpCode.Sync;

    public override void WriteBody(JuteWriter writer) => writer.WriteString(serverPath);

    protected override string Read(int error, ref JuteReader body, WatchRegistry watches) => ZooKeeperPath.Strip(chroot, body.ReadString() ?? serverPath);
}

internal sealed class ReconfigRequest(string? joining, string? leaving, long fromConfig) : Request<NodeData>(ConfigNode.Path)
{
    public override OpCode OpCode => OpCode.Reconfig;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteString(joining);
        writer.WriteString(leaving);
        writer.WriteString(null); // newMembers: only for non-incremental reconfig, which we do not offer
        writer.WriteLong(fromConfig);
    }

    protected override NodeData Read(int error, ref JuteReader body, WatchRegistry watches)
    {
        var data = body.ReadBuffer() ?? [];
        return new NodeData(data, Records.ReadStat(ref body));
    }
}

/// <summary>addAuth: answered with the reserved auth xid, in order with other auth packets.</summary>
internal sealed class AuthRequest(string scheme, byte[] credentials) : Request<bool>(null)
{
    public string Scheme { get; } = scheme;
    public byte[] Credentials { get; } = credentials;

    /// <summary>Re-sent after a reconnect; nobody awaits it.</summary>
    public bool IsReplay { get; init; }

    public override OpCode OpCode => OpCode.Auth;

    public override void WriteBody(JuteWriter writer)
    {
        writer.WriteInt(0); // type: unused by the server
        writer.WriteString(Scheme);
        writer.WriteBuffer(Credentials);
    }

    protected override bool Read(int error, ref JuteReader body, WatchRegistry watches) => true;
}

internal sealed class CloseSessionRequest() : Request<bool>(null)
{
    public override OpCode OpCode => OpCode.CloseSession;

    public override void WriteBody(JuteWriter writer) { }

    protected override bool Read(int error, ref JuteReader body, WatchRegistry watches) => true;
}

internal static class ConfigNode
{
    /// <summary>The ensemble's membership; never under a chroot.</summary>
    public const string Path = "/zookeeper/config";
}
