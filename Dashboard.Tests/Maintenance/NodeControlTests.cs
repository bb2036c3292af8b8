using System.Net.Sockets;
using System.Text;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;

namespace Dashboard.Tests.Maintenance;

/// <summary>Node-control settings and the command and Docker controls, without an ensemble.</summary>
public sealed class NodeControlTests
{
    private static readonly NodeDefinition Node = new("zk2.example", 2181) { Id = 2 };
    private const string NoSuch = "{\"message\":\"No such container: zk9\"}";

    [Fact]
    public async Task CommandControl_Placeholders_FilledAsSeparateArgumentsWithoutShell()
    {
        var control = new CommandNodeControl(new NodeControlSettings(NodeControlKind.Command) { Restart = ["echo", "{host}", "port={port}", "id {id}; rm -rf /"] });
        var result = await control.RunAsync(NodeAction.Restart, Node, CancellationToken.None);
        Assert.True(result.Succeeded, result.Summary);
        // No shell: the ';' stays text inside one argument.
        Assert.Equal("zk2.example port=2181 id 2; rm -rf /", result.Output);
        Assert.Equal("[\"echo\", \"zk2.example\", \"port=2181\", \"id 2; rm -rf /\"]", control.Describe(NodeAction.Restart, Node));
    }

    [Fact]
    public async Task CommandControl_StopStartOnly_RestartRunsBothAndMissingProgramFails()
    {
        var control = new CommandNodeControl(new NodeControlSettings(NodeControlKind.Command) { Stop = ["echo", "stop {id}"], Start = ["echo", "start {id}"] });
        var result = await control.RunAsync(NodeAction.Restart, Node, CancellationToken.None);
        Assert.True(result.Succeeded);
        Assert.Equal("stop 2\nstart 2", result.Output!.ReplaceLineEndings("\n"));
        var missing = await new CommandNodeControl(new NodeControlSettings(NodeControlKind.Command) { Restart = ["/nonexistent/zk-restart"] }).RunAsync(NodeAction.Restart, Node, CancellationToken.None);
        Assert.False(missing.Succeeded);
        Assert.Contains("could not start", missing.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kind", "teleport", "use sandbox, command, docker or manual")]
    [InlineData("Kind", "command", "needs Restart, or both Stop and Start")]
    [InlineData("Kind", "docker", "needs Container")]
    public void Settings_BadControl_RefusedNamingTheSetting(string key, string value, string expected)
    {
        var options = new ClusterOptions { Name = "prod", ConnectString = "zk1:2181", Maintenance = new MaintenanceOptions { Enabled = true, Control = new NodeControlOptions() } };
        if (key == "Kind") options.Maintenance.Control!.Kind = value;
        var e = Assert.Throws<ClusterConfigurationException>(() => ClusterDefinition.FromOptions(options, 0));
        Assert.Contains("Dashboard:Clusters:0:Maintenance:Control", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_UnknownPlaceholderOrEnabledWithoutControl_Refused()
    {
        var unknown = new ClusterOptions { Name = "prod", ConnectString = "zk1:2181", Maintenance = new MaintenanceOptions { Enabled = true, Control = new NodeControlOptions { Kind = "command", Restart = ["ssh", "{hostname}", "restart"] } } };
        Assert.Contains("only the placeholders", Assert.Throws<ClusterConfigurationException>(() => ClusterDefinition.FromOptions(unknown, 0)).Message, StringComparison.Ordinal);
        var noControl = new ClusterOptions { Name = "prod", ConnectString = "zk1:2181", Maintenance = new MaintenanceOptions { Enabled = true } };
        Assert.Contains("Control is missing", Assert.Throws<ClusterConfigurationException>(() => ClusterDefinition.FromOptions(noControl, 0)).Message, StringComparison.Ordinal);
        var perNode = new ClusterOptions
        {
            Name = "prod", Maintenance = new MaintenanceOptions { Enabled = true, Control = new NodeControlOptions { Kind = "manual" } },
            Nodes = [new NodeOptions { Address = "zk1:2181", Id = 1, Control = new NodeControlOptions { Kind = "docker", Container = "zk{id}" } }, new NodeOptions { Address = "zk2:2181", Id = 2 }],
        };
        var cluster = ClusterDefinition.FromOptions(perNode, 0);
        Assert.Equal(NodeControlKind.Docker, cluster.ControlFor(cluster.Nodes[0])!.Kind);
        Assert.Equal(NodeControlKind.Manual, cluster.ControlFor(cluster.Nodes[1])!.Kind);
    }

    [Fact]
    public async Task DockerControl_RestartOverUnixSocket_PostsToEngineApiAndReportsNoSuchContainer()
    {
        var socketPath = Path.Combine(Path.GetTempPath(), $"docker-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(4);
        var requests = new List<string>();
        var engine = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                using var connection = await listener.AcceptAsync();
                var buffer = new byte[4096];
                var read = await connection.ReceiveAsync(buffer);
                var request = Encoding.ASCII.GetString(buffer, 0, read);
                requests.Add(request.Split("\r\n")[0]);
                var answer = request.Contains("/zk2/", StringComparison.Ordinal)
                    ? "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                    : $"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {NoSuch.Length}\r\nConnection: close\r\n\r\n{NoSuch}";
                await connection.SendAsync(Encoding.ASCII.GetBytes(answer));
            }
        });
        try
        {
            using var control = new DockerNodeControl(new NodeControlSettings(NodeControlKind.Docker) { Container = "zk{id}", DockerSocket = socketPath, ActionTimeout = TimeSpan.FromSeconds(5) });
            var ok = await control.RunAsync(NodeAction.Restart, Node, CancellationToken.None);
            Assert.True(ok.Succeeded, ok.Summary);
            var missing = await control.RunAsync(NodeAction.Start, Node with { Id = 9 }, CancellationToken.None);
            Assert.False(missing.Succeeded);
            Assert.Contains("no such container", missing.Summary, StringComparison.Ordinal);
            await engine;
            Assert.Equal(["POST /containers/zk2/restart?t=30 HTTP/1.1", "POST /containers/zk9/start HTTP/1.1"], requests);
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    [Fact]
    public async Task ManualControl_TellsWhatToDoWhere_AndTouchesNothing()
    {
        var result = await new ManualNodeControl().RunAsync(NodeAction.Restart, Node, CancellationToken.None);
        Assert.True(result.NeedsOperator);
        Assert.Contains("by hand on zk2.example: restart the ZooKeeper server of node 2", result.Summary, StringComparison.Ordinal);
    }
}
