using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Web;

/// <summary>
/// The live path end to end, without a browser: a minimal SignalR JSON-protocol client over the test server's
/// WebSocket (the .NET SignalR client package is not in our package source) subscribes to a cluster's ensemble
/// topic and receives the re-rendered fragment after a poll.
/// </summary>
public sealed class LiveHubProtocolTests
{
    private const char RecordSeparator = '\u001e';

    [Fact]
    public async Task Subscriber_EnsembleTopic_ReceivesFragmentAfterPoll()
    {
        await using var app = new DashboardAppFactory(new()
        {
            ["Dashboard:Clusters:0:Name"] = "Gone",
            ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:1",
            ["Dashboard:Clusters:0:PollInterval"] = "00:00:00.250",
        });
        _ = app.Server; // starts the host
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var socket = await app.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/hubs/live"), timeout.Token);

        await SendAsync(socket, """{"protocol":"json","version":1}""", timeout.Token);
        Assert.Equal("{}", (await ReceiveAsync(socket, timeout.Token)).Single());
        await SendAsync(socket, """{"type":1,"target":"Subscribe","arguments":[["ensemble:gone"]]}""", timeout.Token);

        string? html = null;
        while (html is null)
        {
            foreach (var message in await ReceiveAsync(socket, timeout.Token))
            {
                using var json = JsonDocument.Parse(message);
                if (json.RootElement.GetProperty("type").GetInt32() == 1 && json.RootElement.GetProperty("target").GetString() == "fragment")
                {
                    var arguments = json.RootElement.GetProperty("arguments");
                    Assert.Equal("ensemble:gone", arguments[0].GetString());
                    html = arguments[1].GetString();
                }
            }
        }

        Assert.Contains("data-live-topic=\"ensemble:gone\"", html, StringComparison.Ordinal);
        Assert.Contains("data-role=\"down\"", html, StringComparison.Ordinal);
    }

    private static Task SendAsync(WebSocket socket, string message, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message + RecordSeparator), WebSocketMessageType.Text, true, cancellationToken);

    private static async Task<List<string>> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            text.Write(buffer, 0, result.Count);
        } while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(text.ToArray()).Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
