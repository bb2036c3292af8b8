namespace Dashboard.Core.ZooKeeper.Wire;

/// <summary>The records shared by many operations (from zookeeper.jute): Stat, ACL, the handshake, watch events.</summary>
internal static class Records
{
    public const int StatSize = 68;
    public const int ReplyHeaderSize = 16;
    public const int SmallestString = 4;
    public const int SmallestAcl = 12;

    public static NodeStat ReadStat(ref JuteReader reader) => new(
        CreatedZxid: reader.ReadLong(),
        ModifiedZxid: reader.ReadLong(),
        Created: ReadTime(ref reader),
        Modified: ReadTime(ref reader),
        Version: reader.ReadInt(),
        ChildrenVersion: reader.ReadInt(),
        AclVersion: reader.ReadInt(),
        EphemeralOwner: reader.ReadLong(),
        DataLength: reader.ReadInt(),
        ChildrenCount: reader.ReadInt(),
        ChildrenModifiedZxid: reader.ReadLong());

    /// <summary>Only a Stat's data version, the rest skipped: a reader of 100,000 values needs no Stat object each.</summary>
    public static int ReadStatVersion(ref JuteReader reader)
    {
        reader.Skip(32, "Stat"); // czxid, mzxid, ctime, mtime
        var version = reader.ReadInt();
        reader.Skip(StatSize - 36, "Stat");
        return version;
    }

    private static DateTimeOffset ReadTime(ref JuteReader reader)
    {
        var millis = reader.ReadLong();
        // A garbled time must be a protocol error, not an ArgumentOutOfRangeException thrown from the receive loop.
        if (millis < -62_135_596_800_000 || millis > 253_402_300_799_999)
            throw new ZooKeeperProtocolException($"A Stat carries an impossible time ({millis} ms since 1970).");
        return DateTimeOffset.FromUnixTimeMilliseconds(millis);
    }

    public static IReadOnlyList<ZooKeeperAcl> ReadAcl(ref JuteReader reader)
    {
        var count = reader.ReadVectorCount(SmallestAcl);
        if (count <= 0) return [];
        var acl = new ZooKeeperAcl[count];
        for (var i = 0; i < count; i++)
        {
            var perms = (Permissions)reader.ReadInt();
            acl[i] = new ZooKeeperAcl(perms, reader.ReadString() ?? "", reader.ReadString() ?? "");
        }
        return acl;
    }

    public static void WriteAcl(JuteWriter writer, IReadOnlyList<ZooKeeperAcl> acl)
    {
        writer.WriteInt(acl.Count);
        foreach (var entry in acl)
        {
            writer.WriteInt((int)entry.Permissions);
            writer.WriteString(entry.Scheme);
            writer.WriteString(entry.Id);
        }
    }

    public static IReadOnlyList<string> ReadStrings(ref JuteReader reader)
    {
        var count = reader.ReadVectorCount(SmallestString);
        if (count <= 0) return [];
        var names = new string[count];
        for (var i = 0; i < count; i++) names[i] = reader.ReadString() ?? "";
        return names;
    }

    public static void WriteStrings(JuteWriter writer, IReadOnlyList<string> values)
    {
        writer.WriteInt(values.Count);
        foreach (var value in values) writer.WriteString(value);
    }

    /// <summary>ConnectRequest: the first frame of every connection; it has no request header.</summary>
    public static void WriteConnectRequest(JuteWriter writer, long lastZxidSeen, int timeoutMs, long sessionId, ReadOnlySpan<byte> password)
    {
        writer.BeginFrame();
        writer.WriteInt(0); // protocol version
        writer.WriteLong(lastZxidSeen);
        writer.WriteInt(timeoutMs);
        writer.WriteLong(sessionId);
        writer.WriteBuffer(password);
        writer.WriteBool(false); // read-only sessions are not asked for: the dashboard writes too
        writer.EndFrame();
    }

    public readonly record struct ConnectResponse(int TimeoutMs, long SessionId, byte[] Password);

    public static ConnectResponse ReadConnectResponse(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        reader.ReadInt(); // protocol version
        var timeout = reader.ReadInt();
        var sessionId = reader.ReadLong();
        var password = reader.ReadBuffer() ?? [];
        // The read-only flag follows on servers since 3.4; older ones stop here.
        return new ConnectResponse(timeout, sessionId, password);
    }

    /// <summary>Header every request (but the handshake) starts with.</summary>
    public static void WriteRequestHeader(JuteWriter writer, int xid, OpCode opCode)
    {
        writer.WriteInt(xid);
        writer.WriteInt((int)opCode);
    }

    /// <summary>SetWatches: re-arms watches on a new connection; events missed since <paramref name="relativeZxid"/> fire at once.</summary>
    public static void WriteSetWatches(JuteWriter writer, long relativeZxid, IReadOnlyList<string> data, IReadOnlyList<string> exist, IReadOnlyList<string> child)
    {
        writer.BeginFrame();
        WriteRequestHeader(writer, Xids.SetWatches, OpCode.SetWatches);
        writer.WriteLong(relativeZxid);
        WriteStrings(writer, data);
        WriteStrings(writer, exist);
        WriteStrings(writer, child);
        writer.EndFrame();
    }

    public static void WritePing(JuteWriter writer)
    {
        writer.BeginFrame();
        WriteRequestHeader(writer, Xids.Ping, OpCode.Ping);
        writer.EndFrame();
    }
}
