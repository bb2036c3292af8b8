using Dashboard.Core.ZooKeeper.Session;

namespace Dashboard.Core.ZooKeeper.Wire;

/// <summary>
/// multi and multiRead share a framing: each operation is preceded by a MultiHeader (type, done, err) and the list
/// ends with a header whose done flag is set; the answer repeats the pattern with one result per operation.
/// </summary>
internal static class MultiFraming
{
    public static void WriteHeader(JuteWriter writer, OpCode type)
    {
        writer.WriteInt((int)type);
        writer.WriteBool(false);
        writer.WriteInt(-1);
    }

    public static void WriteEnd(JuteWriter writer)
    {
        writer.WriteInt(-1);
        writer.WriteBool(true);
        writer.WriteInt(-1);
    }

    /// <summary>Reads the results; more results than operations is a protocol error, not an endless loop.</summary>
    public static List<OperationResult> ReadResults(ref JuteReader body, int operations, string? chroot)
    {
        var results = new List<OperationResult>(operations);
        while (true)
        {
            var type = (OpCode)body.ReadInt();
            var done = body.ReadBool();
            var error = body.ReadInt();
            if (done) break;
            if (results.Count == operations)
                throw new ZooKeeperProtocolException($"A multi answer has more results than its {operations} operations.");
            results.Add(type switch
            {
                OpCode.Create => new CreateResult(ZooKeeperPath.Strip(chroot, body.ReadString() ?? ""), null),
                OpCode.Create2 or OpCode.CreateContainer => new CreateResult(ZooKeeperPath.Strip(chroot, body.ReadString() ?? ""), Records.ReadStat(ref body)),
                OpCode.Delete => new DeleteResult(),
                OpCode.SetData => new SetDataResult(Records.ReadStat(ref body)),
                OpCode.Check => new CheckResult(),
                OpCode.GetData => new DataReadResult(body.ReadBuffer() ?? [], Records.ReadStat(ref body)),
                OpCode.GetChildren => new ChildrenReadResult(Records.ReadStrings(ref body)),
                OpCode.Error => new ErrorResult((ErrorCode)ReadError(ref body, error)),
                _ => throw new ZooKeeperProtocolException($"A multi answer has a result of unknown type {(int)type}."),
            });
        }
        if (results.Count != operations)
            throw new ZooKeeperProtocolException($"A multi answer has {results.Count} results for {operations} operations.");
        return results;
    }

    private static int ReadError(ref JuteReader body, int headerError)
    {
        var error = body.ReadInt();
        return error != 0 ? error : headerError;
    }
}

internal sealed class MultiRequest(IReadOnlyList<TransactionOperation> operations, IReadOnlyList<string> serverPaths, string? chroot)
    : Request<IReadOnlyList<OperationResult>>(operations.Count > 0 ? operations[0].Path : null)
{
    public override OpCode OpCode => OpCode.Multi;

    public override void WriteBody(JuteWriter writer)
    {
        for (var i = 0; i < operations.Count; i++)
        {
            var path = serverPaths[i];
            switch (operations[i])
            {
                case CreateOperation create:
                    MultiFraming.WriteHeader(writer, create.Mode == CreateMode.Container ? OpCode.CreateContainer : OpCode.Create2);
                    writer.WriteString(path);
                    writer.WriteBuffer(create.Data);
                    Records.WriteAcl(writer, create.Acl);
                    writer.WriteInt((int)create.Mode);
                    break;
                case DeleteOperation delete:
                    MultiFraming.WriteHeader(writer, OpCode.Delete);
                    writer.WriteString(path);
                    writer.WriteInt(delete.Version);
                    break;
                case SetDataOperation setData:
                    MultiFraming.WriteHeader(writer, OpCode.SetData);
                    writer.WriteString(path);
                    writer.WriteBuffer(setData.Data);
                    writer.WriteInt(setData.Version);
                    break;
                case CheckVersionOperation check:
                    MultiFraming.WriteHeader(writer, OpCode.Check);
                    writer.WriteString(path);
                    writer.WriteInt(check.Version);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown transaction operation {operations[i].GetType().Name}.");
            }
        }
        MultiFraming.WriteEnd(writer);
    }

    // A failed transaction still carries the per-operation results; read them whatever the header says.
    protected override bool Accepts(int error) => true;

    protected override IReadOnlyList<OperationResult> Read(int error, ref JuteReader body, WatchRegistry watches)
    {
        if (body.Remaining == 0)
        {
            if (error != 0) throw ZooKeeperException.Create((ErrorCode)error, ClientPath);
            if (operations.Count == 0) return [];
        }
        var results = MultiFraming.ReadResults(ref body, operations.Count, chroot);
        var failed = results.FindIndex(r => r is ErrorResult { Code: not ErrorCode.Ok and not ErrorCode.RuntimeInconsistency });
        if (failed < 0 && error != 0) failed = results.FindIndex(r => r is ErrorResult { Code: not ErrorCode.Ok });
        if (failed >= 0)
            throw new TransactionFailedException(((ErrorResult)results[failed]).Code, operations[failed].Path, failed, results);
        if (error != 0) throw ZooKeeperException.Create((ErrorCode)error, ClientPath);
        return results;
    }
}

internal sealed class MultiReadRequest(IReadOnlyList<ReadOperation> operations, IReadOnlyList<string> serverPaths)
    : Request<IReadOnlyList<OperationResult>>(operations.Count > 0 ? operations[0].Path : null)
{
    public override OpCode OpCode => OpCode.MultiRead;

    public override void WriteBody(JuteWriter writer)
    {
        for (var i = 0; i < operations.Count; i++)
        {
            MultiFraming.WriteHeader(writer, operations[i] is GetChildrenRead ? OpCode.GetChildren : OpCode.GetData);
            writer.WriteString(serverPaths[i]);
            writer.WriteBool(false); // watches are not offered through multiRead
        }
        MultiFraming.WriteEnd(writer);
    }

    protected override IReadOnlyList<OperationResult> Read(int error, ref JuteReader body, WatchRegistry watches) =>
        MultiFraming.ReadResults(ref body, operations.Count, chroot: null);
}

/// <summary>
/// multiRead of getData only, each value handed to a sink where it is decoded instead of becoming a result object.
/// A sink that throws fails this request, not the connection.
/// </summary>
internal sealed class MultiReadDataRequest(IReadOnlyList<string> serverPaths, IDataReadSink sink, string? clientPath)
    : Request<int>(clientPath)
{
    public override OpCode OpCode => OpCode.MultiRead;

    public override void WriteBody(JuteWriter writer)
    {
        for (var i = 0; i < serverPaths.Count; i++)
        {
            MultiFraming.WriteHeader(writer, OpCode.GetData);
            writer.WriteString(serverPaths[i]);
            writer.WriteBool(false);
        }
        MultiFraming.WriteEnd(writer);
    }

    protected override int Read(int error, ref JuteReader body, WatchRegistry watches)
    {
        var index = 0;
        Exception? sinkError = null;
        while (true)
        {
            var type = (OpCode)body.ReadInt();
            var done = body.ReadBool();
            var headerError = body.ReadInt();
            if (done) break;
            if (index == serverPaths.Count)
                throw new ZooKeeperProtocolException($"A multi answer has more results than its {serverPaths.Count} operations.");
            switch (type)
            {
                case OpCode.GetData:
                    var data = body.ReadBufferSpan();
                    var version = Records.ReadStatVersion(ref body);
                    if (sinkError is null)
                    {
                        try { sink.Read(index, data, version); }
                        catch (Exception e) { sinkError = e; }
                    }
                    break;
                case OpCode.Error:
                    var code = body.ReadInt();
                    if (sinkError is null)
                    {
                        try { sink.Failed(index, (ErrorCode)(code != 0 ? code : headerError), null); }
                        catch (Exception e) { sinkError = e; }
                    }
                    break;
                default:
                    throw new ZooKeeperProtocolException($"A multiRead of values has a result of type {(int)type}.");
            }
            index++;
        }
        if (index != serverPaths.Count)
            throw new ZooKeeperProtocolException($"A multi answer has {index} results for {serverPaths.Count} operations.");
        if (sinkError is not null) throw new DataReadSinkException(sinkError);
        return index;
    }
}

/// <summary>A sink threw while taking a value; the caller gets its exception, the connection is unaffected.</summary>
internal sealed class DataReadSinkException(Exception inner)
    : ZooKeeperException(ErrorCode.Ok, null, $"the reader of the values failed: {inner.Message}", inner);
