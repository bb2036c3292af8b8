using System.Globalization;
using Dashboard.Core.Maintenance;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Access;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Maintenance;

/// <summary>The real app with users per role, watching a sandbox as cluster "Local" with maintenance on and sandbox control.</summary>
internal static class MaintenanceWebApp
{
    public const string ClusterId = "local";
    public const string ClusterName = "Local";

    public static DashboardAppFactory Create(ZooKeeperSandbox sandbox)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Clusters:0:Name"] = ClusterName,
            ["Dashboard:Clusters:0:ConnectString"] = sandbox.ConnectString,
            ["Dashboard:Clusters:0:PollInterval"] = "00:00:00.500",
            ["Dashboard:Clusters:0:NodeTimeout"] = "00:00:00.800",
            ["Dashboard:Clusters:0:Maintenance:Enabled"] = "true",
            ["Dashboard:Clusters:0:Maintenance:Control:Kind"] = "sandbox",
            ["Dashboard:Clusters:0:Maintenance:SettlePeriod"] = "00:00:01",
        };
        for (var i = 0; i < sandbox.Nodes.Count; i++)
        {
            var node = sandbox.Nodes[i];
            settings[$"Dashboard:Clusters:0:Nodes:{i}:Address"] = node.ClientAddress;
            settings[$"Dashboard:Clusters:0:Nodes:{i}:Id"] = node.Id.ToString(CultureInfo.InvariantCulture);
            settings[$"Dashboard:Clusters:0:Nodes:{i}:Observer"] = node.IsObserver ? "true" : "false";
        }
        return AccessTestApp.Create(settings);
    }

    /// <summary>Hands the sandbox to sandbox control (as the --sandbox host does); after the server has started.</summary>
    public static void RegisterSandbox(DashboardAppFactory app, ZooKeeperSandbox sandbox) =>
        app.Services.GetRequiredService<NodeControlFactory>().RegisterSandbox(ClusterId, sandbox);
}
