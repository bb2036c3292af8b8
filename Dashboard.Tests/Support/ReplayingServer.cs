using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dashboard.Tests.Support;

/// <summary>A loopback listener that answers four-letter words with captured real answers, like a ZooKeeper node would.</summary>
public sealed class ReplayingServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _answers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <param name="answers">word (srvr, mntr, conf...) to answer text.</param>
    public ReplayingServer(IReadOnlyDictionary<string, string> answers)
    {
        _answers = answers.ToDictionary(a => a.Key, a => Encoding.UTF8.GetBytes(a.Value), StringComparer.Ordinal);
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = AnswerAsync(socket);
        }
    }

    private async Task AnswerAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var word = new byte[4];
                var read = 0;
                while (read < 4)
                {
                    var n = await socket.ReceiveAsync(word.AsMemory(read), SocketFlags.None, _stop.Token);
                    if (n == 0) return;
                    read += n;
                }
                if (_answers.TryGetValue(Encoding.ASCII.GetString(word), out var answer))
                    await socket.SendAsync(answer, SocketFlags.None, _stop.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
