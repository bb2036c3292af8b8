using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Dashboard.Tests.ZooKeeper;

public enum FakeBehaviour { Silent, NegativeLength, HugeLength, TruncatedFrame, TruncatedRecord, Garbage, WrongXid }

/// <summary>
/// A hostile ZooKeeper server on loopback. A real server cannot be made to send a negative length, a truncated record
/// or garbage, so the bad-frame tests need this fake; everything else is tested against the real sandbox. It answers
/// the handshake properly, misbehaves on the first request of the first connection, and behaves on later ones.
/// </summary>
internal sealed class FakeZooKeeperServer : IAsyncDisposable
{
    public const long SessionId = 0x5EED;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly FakeBehaviour _behaviour;
    private readonly Task _accepting;
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private int _connections;

    public FakeZooKeeperServer(FakeBehaviour behaviour)
    {
        _behaviour = behaviour;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string ConnectString => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The session id each handshake asked for (0 for a new session).</summary>
    public ConcurrentQueue<long> SessionIdsAsked { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _clients.Add(client);
                var number = Interlocked.Increment(ref _connections);
                _ = Task.Run(() => ServeAsync(client, number));
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    private async Task ServeAsync(TcpClient client, int connection)
    {
        try
        {
            var stream = client.GetStream();
            var hello = await ReadFrameAsync(stream);
            SessionIdsAsked.Enqueue(BinaryPrimitives.ReadInt64BigEndian(hello.AsSpan(16)));
            var answer = new byte[4 + 4 + 8 + 4 + 16 + 1];
            BinaryPrimitives.WriteInt32BigEndian(answer.AsSpan(4), 30_000);
            BinaryPrimitives.WriteInt64BigEndian(answer.AsSpan(8), SessionId);
            BinaryPrimitives.WriteInt32BigEndian(answer.AsSpan(16), 16);
            await WriteFrameAsync(stream, answer);

            while (true)
            {
                var request = await ReadFrameAsync(stream);
                var xid = BinaryPrimitives.ReadInt32BigEndian(request);
                var type = BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(4));
                if (type == 11) { await WriteFrameAsync(stream, Header(-2)); continue; }
                if (connection > 1) { await WriteFrameAsync(stream, [.. Header(xid), .. GetDataBody()]); continue; }
                switch (_behaviour)
                {
                    case FakeBehaviour.Silent:
                        break;
                    case FakeBehaviour.NegativeLength:
                        await stream.WriteAsync(Int(-5));
                        break;
                    case FakeBehaviour.HugeLength:
                        await stream.WriteAsync(Int(0x7ffffff0));
                        await stream.WriteAsync(new byte[100]);
                        break;
                    case FakeBehaviour.TruncatedFrame:
                        await stream.WriteAsync(Int(100));
                        await stream.WriteAsync(Header(xid));
                        client.Close();
                        return;
                    case FakeBehaviour.TruncatedRecord:
                        // A well-framed reply whose data buffer claims 1000 bytes but carries 10.
                        await WriteFrameAsync(stream, [.. Header(xid), .. Int(1000), .. new byte[10]]);
                        break;
                    case FakeBehaviour.Garbage:
                        var garbage = new byte[40];
                        new Random(42).NextBytes(garbage);
                        await WriteFrameAsync(stream, garbage);
                        break;
                    case FakeBehaviour.WrongXid:
                        await WriteFrameAsync(stream, [.. Header(xid + 7), .. GetDataBody()]);
                        break;
                }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    private static byte[] Int(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Header(int xid)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, xid);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(4), 5);
        return header;
    }

    /// <summary>GetDataResponse: data "ok" and a zeroed Stat.</summary>
    private static byte[] GetDataBody() => [.. Int(2), (byte)'o', (byte)'k', .. new byte[68]];

    private static async Task<byte[]> ReadFrameAsync(NetworkStream stream)
    {
        var length = new byte[4];
        await stream.ReadExactlyAsync(length);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
        await stream.ReadExactlyAsync(body);
        return body;
    }

    private static async Task WriteFrameAsync(NetworkStream stream, byte[] body)
    {
        await stream.WriteAsync(Int(body.Length));
        await stream.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _clients) client.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
