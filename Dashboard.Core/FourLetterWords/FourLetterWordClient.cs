using System.Net.Sockets;
using System.Text;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Core.FourLetterWords;

/// <summary>
/// Sends one four-letter word to a ZooKeeper client port and reads the answer until the server closes the
/// connection. Every call is bounded in time and in the size it accepts.
/// </summary>
public static class FourLetterWordClient
{
    /// <summary><c>stat</c> and <c>cons</c> list every connection; beyond this a reply is cut rather than buffered.</summary>
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    public static Task<string> SendAsync(string host, int port, string command, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SendAsync(host, port, command, timeout, null, cancellationToken);

    /// <summary>With <paramref name="tls"/>, the word goes over TLS (a secure client port), the server's certificate checked as a session's is.</summary>
    public static async Task<string> SendAsync(string host, int port, string command, TimeSpan timeout, ZooKeeperTls? tls, CancellationToken cancellationToken = default)
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
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (tls is not null) stream = await tls.AuthenticateAsync(stream, host, port, deadline.Token).ConfigureAwait(false);
            await using var _ = stream.ConfigureAwait(false);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command), deadline.Token).ConfigureAwait(false);

            using var answer = new MemoryStream();
            var buffer = new byte[16 * 1024];
            while (answer.Length < MaxResponseBytes)
            {
                var read = await ReadAsync(stream, buffer, deadline.Token).ConfigureAwait(false);
                if (read == 0) break;
                answer.Write(buffer, 0, (int)Math.Min(read, MaxResponseBytes - answer.Length));
            }
            return Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FourLetterWordException($"'{command}' to {host}:{port} got no complete answer within {timeout.TotalMilliseconds:0} ms.", isTimeout: true);
        }
        catch (ZooKeeperTlsException e)
        {
            throw new FourLetterWordException($"'{command}' to {host}:{port}: {e.Message}", isTimeout: false, e);
        }
        catch (SocketException e)
        {
            throw new FourLetterWordException($"'{command}' to {host}:{port} failed: {e.Message}.", isTimeout: false, e);
        }
        catch (IOException e)
        {
            // A stream wraps the socket's failure (a reset from a restarting server): the same per-node failure.
            throw new FourLetterWordException($"'{command}' to {host}:{port} failed: {(e.InnerException ?? e).Message}.", isTimeout: false, e);
        }
    }

    /// <summary>A server that closes a TLS connection without close_notify (ZooKeeper after a 4lw) ends the answer, not an error.</summary>
    private static async Task<int> ReadAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (stream is System.Net.Security.SslStream)
        {
            return 0;
        }
    }
}
