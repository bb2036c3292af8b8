using System.Buffers.Binary;
using System.Collections.Concurrent;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Session;
using Dashboard.Core.ZooKeeper.Wire;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.ZooKeeper;

/// <summary>
/// Decodes real reply frames captured from the sandbox after random mutation: every outcome must be a decoded value,
/// a ZooKeeper error, or a <see cref="ZooKeeperProtocolException"/>, never another exception type.
/// </summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class FrameFuzzTests(SharedEnsemble ensemble)
{
    private const int MutationsPerFrame = 3000;

    private sealed record Captured(string Name, byte[] Frame, Func<Request> NewRequest);

    [Fact]
    public async Task MutatedRealFrames_Decoded_OnlyValuesZooKeeperErrorsOrProtocolErrors()
    {
        var frames = await CaptureAsync();
        var random = new Random(20261121);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

        foreach (var captured in frames.Where(c => c.Name != "watch"))
        {
            Assert.Equal("value", Decode(captured, captured.Frame)); // the unmutated frame decodes
            for (var i = 0; i < MutationsPerFrame; i++)
            {
                var outcome = Decode(captured, Mutate(captured.Frame, random));
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }

        Assert.True(outcomes.GetValueOrDefault("protocol error") > 1000, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("value") > 1000, string.Join(", ", outcomes));
    }

    [Fact]
    public async Task MutatedWatchEvents_Handled_OnlyDeliveredIgnoredOrProtocolErrors()
    {
        var (frame, _) = (await CaptureAsync()).Where(c => c.Name == "watch").Select(c => (c.Frame, 0)).Single();
        var connection = new SessionConnection(ConnectString.Parse("127.0.0.1:1"), new ZooKeeperClientOptions());
        var random = new Random(7);
        var protocolErrors = 0;

        for (var i = 0; i < 20_000; i++)
        {
            try { connection.HandleFrame(Mutate(frame, random)); }
            catch (ZooKeeperProtocolException) { protocolErrors++; }
        }

        Assert.InRange(protocolErrors, 1, 20_000);
        await connection.DisposeAsync();
    }

    private static string Decode(Captured captured, byte[] frame)
    {
        var request = captured.NewRequest();
        try
        {
            var reader = new JuteReader(frame);
            reader.ReadInt();
            reader.ReadLong();
            var error = reader.ReadInt();
            request.Complete(error, ref reader, new WatchRegistry());
        }
        catch (ZooKeeperProtocolException)
        {
            return "protocol error";
        }
        Assert.True(request.IsCompleted, $"{captured.Name}: the request was neither answered nor failed.");
        var task = (Task)request.GetType().GetProperty("Task")!.GetValue(request)!;
        if (task.IsCompletedSuccessfully) return "value";
        Assert.IsAssignableFrom<ZooKeeperException>(task.Exception!.InnerException);
        return "zookeeper error";
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var frame = (byte[])original.Clone();
        switch (random.Next(6))
        {
            case 0:
                var bit = random.Next(frame.Length * 8);
                frame[bit / 8] ^= (byte)(1 << (bit % 8));
                return frame;
            case 1:
                for (var n = random.Next(1, 6); n > 0; n--) frame[random.Next(frame.Length)] = (byte)random.Next(256);
                return frame;
            case 2:
                // Lengths and counts are where decoders die: plant extreme ints at random offsets.
                int[] extremes = [-1, -2, int.MinValue, int.MaxValue, 0x7ffffff0, frame.Length, frame.Length + 1, 0, 65536];
                if (frame.Length >= 4) BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(random.Next(frame.Length - 3)), extremes[random.Next(extremes.Length)]);
                return frame;
            case 3:
                return frame[..random.Next(frame.Length)];
            case 4:
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return [.. frame, .. extra];
            default:
                var start = random.Next(frame.Length);
                var length = random.Next(frame.Length - start);
                return [.. frame[..start], .. frame.AsSpan(start, length), .. frame[start..]];
        }
    }

    private async Task<List<Captured>> CaptureAsync()
    {
        var root = $"/fuzz-{Guid.NewGuid():N}";
        await using var client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await using var writer = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        var frames = new ConcurrentQueue<byte[]>();
        client.FrameTap = frame => { if (BinaryPrimitives.ReadInt32BigEndian(frame) != -2) frames.Enqueue(frame); };
        var captured = new List<Captured>();

        async Task<byte[]> Capture(Func<Task> call)
        {
            frames.Clear();
            await call();
            Assert.True(frames.TryDequeue(out var frame));
            return frame;
        }

        await client.CreateAsync(root, "{\"version\":1,\"leader\":1}"u8.ToArray());
        await client.CreateAsync($"{root}/a", Array.Empty<byte>());
        await client.CreateAsync($"{root}/b", Array.Empty<byte>());
        captured.Add(new("getData", await Capture(() => client.GetDataAsync(root)), () => new GetDataRequest(root, root, null)));
        captured.Add(new("getChildren", await Capture(() => client.GetChildrenAsync(root)), () => new GetChildrenRequest(root, root, null)));
        captured.Add(new("exists", await Capture(() => client.ExistsAsync(root)), () => new ExistsRequest(root, root, null)));
        captured.Add(new("getACL", await Capture(() => client.GetAclAsync(root)), () => new GetAclRequest(root, root)));
        captured.Add(new("create2", await Capture(() => client.CreateWithStatAsync($"{root}/c", "x"u8.ToArray())), () => new CreateRequest(root, root, Array.Empty<byte>(), ZooKeeperAcl.OpenUnsafe, CreateMode.Persistent, true, null)));
        TransactionOperation[] transaction = [TransactionOperation.Create($"{root}/m"), TransactionOperation.SetData(root, "y"u8.ToArray()), TransactionOperation.Check(root, 1), TransactionOperation.Delete($"{root}/m")];
        captured.Add(new("multi", await Capture(() => client.MultiAsync(transaction)), () => new MultiRequest(transaction, [.. transaction.Select(t => t.Path)], null)));
        ReadOperation[] reads = [ReadOperation.GetData(root), ReadOperation.GetChildren(root), ReadOperation.GetData($"{root}/none")];
        captured.Add(new("multiRead", await Capture(() => client.MultiReadAsync(reads)), () => new MultiReadRequest(reads, [.. reads.Select(r => r.Path)])));

        var events = new EventLog();
        await client.GetDataAsync($"{root}/a", events.Add);
        frames.Clear();
        await writer.SyncAsync(root);
        await writer.SetDataAsync($"{root}/a", "changed"u8.ToArray());
        await events.WaitForAsync(1);
        captured.Add(new("watch", frames.Single(f => BinaryPrimitives.ReadInt32BigEndian(f) == -1), () => throw new InvalidOperationException("watch frames go through HandleFrame")));
        return captured;
    }
}
