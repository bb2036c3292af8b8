using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.Sandbox;

namespace Dashboard.Bench;

/// <summary>
/// Many ensembles that answer the four-letter words the dashboard's pollers send (<c>srvr</c>, <c>mntr</c>,
/// <c>conf</c>), each node a loopback listener replaying what one node of a real 3-voter sandbox answered. The
/// ports in <c>conf</c> are rewritten to each copy's own listeners, so every copy's membership matches its settings
/// (no "settings-outdated" finding and no ZooKeeper session to read <c>/zookeeper/config</c>).
/// </summary>
internal sealed class ReplayedEnsembles : IAsyncDisposable
{
    private static readonly string[] Words = ["srvr", "mntr", "conf"];
    private readonly List<TcpListener> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _accepting = [];
    private long _answered;

    private ReplayedEnsembles(int[][] ports) => Ports = ports;

    /// <summary>Ports of ensemble e's node j (node id j + 1).</summary>
    public int[][] Ports { get; }

    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Captures the answers of a real 3-voter sandbox, stops it, and starts <paramref name="count"/> copies.</summary>
    public static async Task<ReplayedEnsembles> StartAsync(int count, TextWriter log)
    {
        var captured = new List<(int Port, Dictionary<string, string> Answers)>();
        await using (var sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 0, JvmHeap = "256m" }))
        {
            foreach (var node in sandbox.Nodes.OrderBy(n => n.Id))
            {
                var answers = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var word in Words) answers[word] = await FourLetterWordClient.SendAsync(node.Host, node.ClientPort, word, TimeSpan.FromSeconds(5));
                captured.Add((node.ClientPort, answers));
            }
        }
        log.WriteLine($"captured srvr/mntr/conf of 3 real nodes ({string.Join(", ", captured.Select(c => SrvrResponse.Parse(c.Answers["srvr"]).Mode))}); replaying {count} ensembles");

        var listeners = new List<TcpListener>();
        for (var i = 0; i < count * captured.Count; i++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start(256);
            listeners.Add(listener);
        }
        var ports = Enumerable.Range(0, count).Select(e => Enumerable.Range(0, captured.Count).Select(j => ((IPEndPoint)listeners[e * captured.Count + j].LocalEndpoint).Port).ToArray()).ToArray();
        var replay = new ReplayedEnsembles(ports);
        replay._listeners.AddRange(listeners);
        for (var e = 0; e < count; e++)
            for (var j = 0; j < captured.Count; j++)
            {
                var answers = captured[j].Answers.ToDictionary(a => a.Key, a => Encoding.UTF8.GetBytes(Rewrite(a.Value, captured.Select(c => c.Port).ToArray(), ports[e])), StringComparer.Ordinal);
                replay._accepting.Add(replay.AcceptAsync(listeners[e * captured.Count + j], answers));
            }
        return replay;
    }

    /// <summary>The sandbox's client ports (after ':' or '=') become the copy's; election and quorum ports are never dialled.</summary>
    private static string Rewrite(string text, int[] from, int[] to)
    {
        for (var j = 0; j < from.Length; j++)
        {
            var port = from[j].ToString(CultureInfo.InvariantCulture);
            var mine = to[j].ToString(CultureInfo.InvariantCulture);
            text = text.Replace(":" + port, ":" + mine, StringComparison.Ordinal).Replace("=" + port, "=" + mine, StringComparison.Ordinal);
        }
        return text;
    }

    private async Task AcceptAsync(TcpListener listener, Dictionary<string, byte[]> answers)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = AnswerAsync(socket, answers);
        }
    }

    private async Task AnswerAsync(Socket socket, Dictionary<string, byte[]> answers)
    {
        using (socket)
        {
            try
            {
                var word = new byte[4];
                for (var read = 0; read < 4;)
                {
                    var n = await socket.ReceiveAsync(word.AsMemory(read), SocketFlags.None, _stop.Token);
                    if (n == 0) return;
                    read += n;
                }
                if (answers.TryGetValue(Encoding.ASCII.GetString(word), out var answer)) await socket.SendAsync(answer, SocketFlags.None, _stop.Token);
                Interlocked.Increment(ref _answered);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var listener in _listeners) listener.Stop();
        await Task.WhenAll(_accepting);
        _stop.Dispose();
    }
}
