using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Access;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance;

/// <summary>
/// Values that reach a command line (broker registrations in ZooKeeper, node addresses in the settings) planted the
/// way an attacker would: the plan refuses naming the node and the value, and nothing runs (the file ssh's
/// ProxyCommand would create never appears).
/// </summary>
public sealed class HostileNodeValueTests
{
    private static string Marker() => Path.Combine(Path.GetTempPath(), $"pwned-{Guid.NewGuid():N}");

    [Theory]
    [InlineData("zk1", true)]
    [InlineData("zk-1.prod.example.com", true)]
    [InlineData("kafka_2", true)]
    [InlineData("10.0.0.7", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("-oProxyCommand=touch /tmp/x", false)]
    [InlineData("-oProxyCommand=id", false)]
    [InlineData("zk1 -v", false)]
    [InlineData("zk1\n", false)]
    [InlineData("a/b", false)]
    [InlineData("user@zk1", false)]
    [InlineData("zk1.-x", false)]
    [InlineData("", false)]
    [InlineData("1.2.3", true)] // a host name of digits is still a name (labels of digits are allowed), never an option
    public void HostProblem_NamesAndLiteralsPass_OptionsAndSyntaxRefused(string host, bool valid) =>
        Assert.Equal(valid, NodeArgumentCheck.HostProblem(host) is null);

    [Fact]
    public async Task CommandControl_HostPosingAsOption_RefusedAndNothingRuns()
    {
        var marker = Marker();
        var hostile = new NodeDefinition($"-oProxyCommand=touch {marker}", 9092) { Id = 7 };
        // The attack is real: the same argument list run as it stood before makes ssh run the ProxyCommand.
        using (var ssh = Process.Start(new ProcessStartInfo("ssh") { ArgumentList = { "-oBatchMode=yes", hostile.Host, "true" }, RedirectStandardError = true, RedirectStandardOutput = true })!)
        {
            await ssh.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        }
        Assert.True(File.Exists(marker), "ssh did not run the ProxyCommand: the attack could not be reproduced here");
        File.Delete(marker);

        var control = new CommandNodeControl(new NodeControlSettings(NodeControlKind.Command) { Restart = ["ssh", "-oBatchMode=yes", "{host}", "true"] });
        var result = await control.RunAsync(NodeAction.Restart, hostile, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("node 7: the host '-oProxyCommand=touch", result.Summary, StringComparison.Ordinal);
        Assert.Contains("starts with '-'", result.Summary, StringComparison.Ordinal);
        Assert.StartsWith("not run: ", control.Describe(NodeAction.Restart, hostile), StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "the refused command ran");
    }

    [Theory]
    [InlineData("{host}", "-rm")]
    [InlineData("zk{id}", "zk1")] // valid: letters and digits
    [InlineData("{host}", "zk1/../../images")]
    public async Task DockerControl_ContainerNameFromHost_OnlyAValidNameReachesTheEngine(string template, string host)
    {
        var socket = Path.Combine(Path.GetTempPath(), $"no-docker-{Guid.NewGuid():N}.sock"); // nothing listens: a valid name fails to connect
        using var control = new DockerNodeControl(new NodeControlSettings(NodeControlKind.Docker) { Container = template, DockerSocket = socket, ActionTimeout = TimeSpan.FromSeconds(5) });
        var node = new NodeDefinition(host, 2181) { Id = 1 };
        var result = await control.RunAsync(NodeAction.Restart, node, CancellationToken.None);
        Assert.False(result.Succeeded);
        var valid = template == "zk{id}";
        Assert.Equal(valid, result.Summary.Contains("cannot reach the Docker engine", StringComparison.Ordinal));
        Assert.Equal(!valid, result.Summary.Contains("is refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BrokerRegistrationWrittenByKazoo_HostileHost_PlanRefusesNamingBrokerAndValue_StartRefused_NothingRuns()
    {
        var marker = Marker();
        await using var sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 1, Observers = 0 });
        await Kazoo.PutTextAsync(sandbox.ConnectString, "/kafka/brokers/topics", "");
        await Kazoo.PutTextAsync(sandbox.ConnectString, "/kafka/brokers/ids/7", Registration($"-oProxyCommand=touch {marker}"));
        await Kazoo.PutTextAsync(sandbox.ConnectString, "/kafka/brokers/ids/8", Registration("kafka-8.example"));

        var settings = SandboxClusterSettings.For(sandbox);
        settings["Dashboard:Clusters:0:KafkaChroot"] = "/kafka";
        settings["Dashboard:Clusters:0:Maintenance:Enabled"] = "true";
        settings["Dashboard:Clusters:0:Maintenance:Control:Kind"] = "manual";
        settings["Dashboard:Clusters:0:Maintenance:BrokerControl:Kind"] = "command";
        string[] restart = ["ssh", "-oBatchMode=yes", "{host}", "sudo", "systemctl", "restart", "kafka"];
        for (var i = 0; i < restart.Length; i++) settings[$"Dashboard:Clusters:0:Maintenance:BrokerControl:Restart:{i}"] = restart[i];
        await using var app = AccessTestApp.Create(settings);
        using var op = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);

        using var plan = await PlanAsync(op, "operation=kafka-restart&nodes=7,8");
        var refusals = plan.RootElement.GetProperty("refusals").EnumerateArray().ToList();
        var refusal = Assert.Single(refusals, r => r.GetProperty("rule").GetString() == NodeArgumentCheck.Rule);
        Assert.Equal("broker 7", refusal.GetProperty("subject").GetString());
        Assert.Contains($"the host '-oProxyCommand=touch {marker}' is refused", refusal.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(plan.RootElement.GetProperty("canStart").GetBoolean());
        var steps = plan.RootElement.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("nodeId").GetInt32(), s => s.GetProperty("control").GetString());
        Assert.StartsWith("not run: ", steps[7], StringComparison.Ordinal);
        // The plan shows the exact argument list of a sound broker.
        Assert.Equal("[\"ssh\", \"-oBatchMode=yes\", \"kafka-8.example\", \"sudo\", \"systemctl\", \"restart\", \"kafka\"]", steps[8]);

        var start = await StartAsync(app, op, "kafka-restart", [7]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, start.StatusCode);
        Assert.Contains("-oProxyCommand", await start.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "a command ran with the hostile host");
    }

    [Fact]
    public async Task NodeAddressInSettings_HostileHost_PlanRefusesNamingNodeAndValue_NothingRuns()
    {
        var marker = Marker();
        await using var sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 1, Observers = 0 });
        var settings = SandboxClusterSettings.For(sandbox);
        settings["Dashboard:Clusters:0:Nodes:1:Address"] = $"-oProxyCommand=touch {marker}:2181";
        settings["Dashboard:Clusters:0:Nodes:1:Id"] = "9";
        settings["Dashboard:Clusters:0:Maintenance:Enabled"] = "true";
        settings["Dashboard:Clusters:0:Maintenance:Control:Kind"] = "command";
        string[] restart = ["ssh", "-oBatchMode=yes", "{host}", "sudo", "systemctl", "restart", "zookeeper"];
        for (var i = 0; i < restart.Length; i++) settings[$"Dashboard:Clusters:0:Maintenance:Control:Restart:{i}"] = restart[i];
        await using var app = AccessTestApp.Create(settings);
        using var op = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);

        using var plan = await PlanAsync(op, "operation=restart&nodes=9");
        var refusal = Assert.Single(plan.RootElement.GetProperty("refusals").EnumerateArray(), r => r.GetProperty("rule").GetString() == NodeArgumentCheck.Rule);
        Assert.Contains("9", refusal.GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Contains($"'-oProxyCommand=touch {marker}' is refused", refusal.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var start = await StartAsync(app, op, "restart", [9]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, start.StatusCode);
        Assert.False(File.Exists(marker), "a command ran with the hostile host");
    }

    private static string Registration(string host) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["features"] = new Dictionary<string, object>(),
        ["listener_security_protocol_map"] = new Dictionary<string, string> { ["PLAINTEXT"] = "PLAINTEXT" },
        ["endpoints"] = new[] { $"PLAINTEXT://{host}:9092" },
        ["jmx_port"] = -1,
        ["port"] = 9092,
        ["host"] = host,
        ["version"] = 5,
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
    });

    /// <summary>The plan, retried while the cluster is still being polled for the first time (503).</summary>
    private static async Task<JsonDocument> PlanAsync(HttpClient client, string query)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync(new Uri($"/api/clusters/local/maintenance/plan?{query}", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK) return JsonDocument.Parse(body);
            Assert.True(DateTime.UtcNow < deadline, $"no plan: {(int)response.StatusCode} {body}");
            await Task.Delay(500);
        }
    }

    private static async Task<HttpResponseMessage> StartAsync(DashboardAppFactory app, HttpClient client, string operation, int[] nodes)
    {
        var token = await AccessTestApp.AntiforgeryTokenAsync(client, "/");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/clusters/local/maintenance/runs", UriKind.Relative))
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { operation, nodes, confirm = "Local" }),
        };
        request.Headers.Add("RequestVerificationToken", token);
        _ = app;
        return await client.SendAsync(request);
    }
}
