using System.Net.Sockets;
using System.Text;

namespace Dashboard.Core.FourLetterWords;

/// <summary>
/// Sends one four-letter word to a ZooKeeper client port and reads the answer until the server closes the
/// connection. Every call is bounded in time and in the size it accepts.
/// </summary>
public static class FourLetterWordClient
{
    /// <summary><c>stat</c> and <c>cons</c> list every connection; beyond this a reply is cut rather than buffered.</summary>
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    public static async Task<string> SendAsync(string host, int port, string command, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (command is not { Length: 4 } || !command.All(char.IsAsciiLetterLower))
            throw new ArgumentException($"'{command}' is not a four-letter word.", nameof(command));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            await socket.SendAsync(Encoding.ASCII.GetBytes(command), SocketFlags.None, deadline.Token).ConfigureAwait(false);

            using var answer = new MemoryStream();
            var buffer = new byte[16 * 1024];
            while (answer.Length < MaxResponseBytes)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (read == 0) break;
                answer.Write(buffer, 0, (int)Math.Min(read, MaxResponseBytes - answer.Length));
            }
            return Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FourLetterWordException($"'{command}' to {host}:{port} got no complete answer within {timeout.TotalMilliseconds:0} ms.", isTimeout: true);
        }
        catch (SocketException e)
        {
            throw new FourLetterWordException($"'{command}' to {host}:{port} failed: {e.Message}.", isTimeout: false, e);
        }
    }
}
