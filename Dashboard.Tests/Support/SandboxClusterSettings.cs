using System.Globalization;
using Dashboard.Core.Sandbox;

namespace Dashboard.Tests.Support;

/// <summary>Settings that make the app monitor a test's own sandbox as cluster "local", node by node.</summary>
internal static class SandboxClusterSettings
{
    public static Dictionary<string, string?> For(ZooKeeperSandbox sandbox, string pollInterval = "00:00:00.500", string nodeTimeout = "00:00:00.400")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Clusters:0:Name"] = "Local",
            ["Dashboard:Clusters:0:ConnectString"] = sandbox.ConnectString,
            ["Dashboard:Clusters:0:PollInterval"] = pollInterval,
            ["Dashboard:Clusters:0:NodeTimeout"] = nodeTimeout,
        };
        for (var i = 0; i < sandbox.Nodes.Count; i++)
        {
            var node = sandbox.Nodes[i];
            settings[$"Dashboard:Clusters:0:Nodes:{i}:Address"] = node.ClientAddress;
            settings[$"Dashboard:Clusters:0:Nodes:{i}:Id"] = node.Id.ToString(CultureInfo.InvariantCulture);
            settings[$"Dashboard:Clusters:0:Nodes:{i}:Observer"] = node.IsObserver ? "true" : "false";
            settings[$"Dashboard:Clusters:0:Nodes:{i}:AdminUrl"] = node.AdminUri.ToString();
        }
        return settings;
    }
}
