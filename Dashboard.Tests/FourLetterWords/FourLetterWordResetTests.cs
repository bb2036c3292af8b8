using System.Net;
using System.Net.Sockets;
using Dashboard.Core.FourLetterWords;

namespace Dashboard.Tests.FourLetterWords;

/// <summary>
/// A server that resets the connection mid-answer (a ZooKeeper node being restarted does) must be one node's failure,
/// never an exception that escapes the probe. A real server cannot be made to reset on cue, so a loopback listener
/// sends the reset.
/// </summary>
public sealed class FourLetterWordResetTests
{
    [Fact]
    public async Task Send_ServerResetsConnection_FailsWithFourLetterWordException()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var peer = await listener.AcceptSocketAsync();
            var word = new byte[4];
            await peer.ReceiveAsync(word, SocketFlags.None);
            await peer.SendAsync("Zookeeper version: 3.8.0\n"u8.ToArray(), SocketFlags.None);
            peer.LingerState = new LingerOption(true, 0); // close with RST instead of FIN
            peer.Close();
        });

        var error = await Assert.ThrowsAsync<FourLetterWordException>(() =>
            FourLetterWordClient.SendAsync("127.0.0.1", port, "srvr", TimeSpan.FromSeconds(10)));
        await server;

        Assert.False(error.IsTimeout);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }
}
