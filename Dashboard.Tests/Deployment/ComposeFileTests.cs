using System.Diagnostics;
using System.Text.RegularExpressions;
using Dashboard.Core.Clusters;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Dashboard.Tests.Deployment;

/// <summary>
/// No Docker engine runs here, so the compose file is checked by reading it: the dashboard's configured nodes,
/// ports and ids must match the ZooKeeper services, and its environment must bind like appsettings.json does.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string Root = FindRoot();
    private static readonly string ComposePath = Path.Combine(Root, "docker-compose.yml");

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Dashboard.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("Dashboard.sln not found above the test binaries.");
    }

    /// <summary>The compose file with YAML anchors and merge keys resolved, as compose itself reads it.</summary>
    private static Dictionary<string, YamlMappingNode> Services()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(ComposePath)) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var services = (YamlMappingNode)root["services"];
        return services.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => Resolve((YamlMappingNode)p.Value));
    }

    private static YamlMappingNode Resolve(YamlMappingNode node)
    {
        var result = new YamlMappingNode();
        foreach (var (key, value) in node.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            if (name == "<<")
            {
                foreach (var (k, v) in Resolve((YamlMappingNode)value).Children)
                    if (!result.Children.ContainsKey(k)) result.Children[k] = v;
                continue;
            }
            result.Children[key] = value is YamlMappingNode map ? Resolve(map) : value;
        }
        // Keys written after a merge override the merged ones: a second pass lets explicit keys win.
        foreach (var (key, value) in node.Children.Where(c => ((YamlScalarNode)c.Key).Value != "<<"))
            result.Children[key] = value is YamlMappingNode map ? Resolve(map) : value;
        return result;
    }

    private static Dictionary<string, string> Environment(YamlMappingNode service) =>
        ((YamlMappingNode)service["environment"]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? "");

    private static ClusterDefinition DashboardCluster(Dictionary<string, string> environment)
    {
        // Bound exactly as the app binds it: environment variables with "__" as the section separator.
        var prefix = $"COMPOSE_TEST_{Guid.NewGuid():N}_";
        foreach (var (key, value) in environment) System.Environment.SetEnvironmentVariable(prefix + key, value);
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
            var options = configuration.GetSection("Dashboard:Clusters").Get<List<ClusterOptions>>()!;
            return ClusterDefinition.FromOptions(Assert.Single(options), 0);
        }
        finally
        {
            foreach (var key in environment.Keys) System.Environment.SetEnvironmentVariable(prefix + key, null);
        }
    }

    [Fact]
    public void DashboardNodes_MatchTheZooKeeperServices_IdsPortsObserversAndAdminServers()
    {
        var services = Services();
        var dashboard = DashboardCluster(Environment(services["dashboard"]));
        var zookeepers = services.Where(s => s.Value.Children.ContainsKey("image") && ((YamlScalarNode)s.Value["image"]).Value!.StartsWith("zookeeper:", StringComparison.Ordinal)).ToList();

        Assert.Equal(zookeepers.Count, dashboard.Nodes.Length);
        foreach (var (name, service) in zookeepers)
        {
            var env = Environment(service);
            var id = int.Parse(env["ZOO_MY_ID"], System.Globalization.CultureInfo.InvariantCulture);
            var serverLine = ServerLine().Matches(env["ZOO_SERVERS"]).Single(m => m.Groups["id"].Value == id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var node = Assert.Single(dashboard.Nodes, n => n.Id == id);

            Assert.Equal(name, ((YamlScalarNode)service["hostname"]).Value);
            Assert.Equal(name, ((YamlScalarNode)service["container_name"]).Value);
            Assert.Equal(name, serverLine.Groups["host"].Value);
            Assert.Equal(node.Host, name);
            Assert.Equal(int.Parse(serverLine.Groups["client"].Value, System.Globalization.CultureInfo.InvariantCulture), node.ClientPort);
            var observerInServers = serverLine.Groups["type"].Value == "observer";
            Assert.Equal(observerInServers, node.IsObserver ?? false);
            Assert.Equal(observerInServers, env["ZOO_CFG_EXTRA"].Contains("peerType=observer", StringComparison.Ordinal));
            var adminPort = AdminPort().Match(env["ZOO_CFG_EXTRA"]).Groups[1].Value;
            Assert.Equal(new Uri($"http://{name}:{adminPort}/commands"), node.AdminUri);
            Assert.Equal("*", env["ZOO_4LW_COMMANDS_WHITELIST"]);
        }
        Assert.Equal(3, dashboard.Nodes.Count(n => n.IsObserver != true));
    }

    [Fact]
    public void DockerNodeControl_NamesExistingContainers_AndTheSocketIsMounted()
    {
        var services = Services();
        var dashboardService = services["dashboard"];
        var dashboard = DashboardCluster(Environment(dashboardService));

        Assert.True(dashboard.Maintenance.Enabled);
        foreach (var node in dashboard.Nodes)
        {
            var control = dashboard.ControlFor(node);
            Assert.NotNull(control);
            Assert.Equal(Core.Maintenance.NodeControlKind.Docker, control.Kind);
            var container = control.Container!.Replace("{id}", node.Id!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.Contains(services.Values, s => s.Children.ContainsKey("container_name") && ((YamlScalarNode)s["container_name"]).Value == container);
        }
        var volumes = ((YamlSequenceNode)dashboardService["volumes"]).Children.Select(v => ((YamlScalarNode)v).Value).ToList();
        Assert.Contains(volumes, v => v!.StartsWith("/var/run/docker.sock:" + dashboard.Maintenance.Control!.DockerSocket, StringComparison.Ordinal));
        Assert.Equal("/kafka", dashboard.KafkaChroot);
    }

    [Fact]
    public void KafkaBrokers_UseTheEnsembleWithAChroot_AndUniqueIds()
    {
        var services = Services();
        var brokers = services.Where(s => s.Value.Children.ContainsKey("image") && s.Value.Children.ContainsKey("hostname")
                                          && ((YamlScalarNode)s.Value["image"]).Value!.StartsWith("confluentinc/cp-kafka", StringComparison.Ordinal)).ToList();
        var zookeeperNames = services.Keys.Where(k => k.StartsWith("zk", StringComparison.Ordinal)).ToHashSet();

        Assert.Equal(3, brokers.Count);
        Assert.Equal(3, brokers.Select(b => Environment(b.Value)["KAFKA_BROKER_ID"]).Distinct().Count());
        foreach (var (name, broker) in brokers)
        {
            var env = Environment(broker);
            var connect = env["KAFKA_ZOOKEEPER_CONNECT"];
            Assert.EndsWith("/kafka", connect, StringComparison.Ordinal);
            Assert.All(connect[..connect.IndexOf('/', StringComparison.Ordinal)].Split(','), hp => Assert.Contains(hp.Split(':')[0], zookeeperNames));
            Assert.Equal($"PLAINTEXT://{name}:9092", env["KAFKA_ADVERTISED_LISTENERS"]);
        }
    }

    [Fact]
    public void EnvironmentConfiguration_BindsLikeTheSameSettingsInAppsettingsJson()
    {
        var environment = Environment(Services()["dashboard"]);
        var fromEnvironment = DashboardCluster(environment);

        // The same settings written as appsettings.json would hold them.
        var json = new Dictionary<string, string?>();
        foreach (var (key, value) in environment.Where(e => e.Key.StartsWith("Dashboard__", StringComparison.Ordinal)))
            json[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        var jsonOptions = new ConfigurationBuilder().AddInMemoryCollection(json).Build().GetSection("Dashboard:Clusters").Get<List<ClusterOptions>>()!;
        var fromJson = ClusterDefinition.FromOptions(Assert.Single(jsonOptions), 0);

        Assert.Equal(fromJson.Id, fromEnvironment.Id);
        Assert.Equal(fromJson.Name, fromEnvironment.Name);
        Assert.Equal(fromJson.Nodes.AsEnumerable(), fromEnvironment.Nodes.AsEnumerable());
        Assert.Equal("compose", fromEnvironment.Id);
        Assert.Equal("/data/history.db", environment["History__DatabasePath"]);
    }

    [Fact]
    public void Dockerfile_BuildsAssetsInside_AndRunsUnprivilegedWithDataVolume()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        var services = Services();

        Assert.Contains("npm ci", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish", dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER app", dockerfile, StringComparison.Ordinal);
        Assert.Contains("VOLUME /data", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dashboard-data:/data", ((YamlSequenceNode)services["dashboard"]["volumes"]).Children.Select(v => ((YamlScalarNode)v).Value));
        Assert.Contains("Dashboard/wwwroot/dist", File.ReadAllText(Path.Combine(Root, ".dockerignore")), StringComparison.Ordinal);
    }

    [Fact]
    public void DockerCompose_WhenInstalled_AcceptsTheFile()
    {
        var compose = new[] { "/usr/bin/docker-compose", "/usr/local/bin/docker-compose" }.FirstOrDefault(File.Exists);
        if (compose is null)
        {
            // Parsing above already checked the structure; this adds compose's own validation where it exists.
            Assert.True(File.Exists(ComposePath));
            return;
        }
        var start = new ProcessStartInfo(compose) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Root };
        foreach (var arg in new[] { "-f", ComposePath, "config", "-q" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "docker-compose config did not finish");
        Assert.True(process.ExitCode == 0, $"docker-compose config refused the file: {error}");
    }

    [GeneratedRegex(@"server\.(?<id>\d+)=(?<host>[^:\s]+):\d+:\d+(?::(?<type>participant|observer))?;(?<client>\d+)")]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"admin\.serverPort=(\d+)")]
    private static partial Regex AdminPort();
}
