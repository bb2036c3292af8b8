using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dashboard.Tests.Maintenance;

/// <summary>A stopping dashboard waits for node actions under way: the host's shutdown timeout covers the longest one.</summary>
public sealed class MaintenanceShutdownTests
{
    [Fact]
    public void Allowance_CommandStopThenStart_TwiceTheActionTimeoutPlusMargin_ManualNeedsNone()
    {
        var command = new NodeControlSettings(NodeControlKind.Command) { Stop = ["stop"], Start = ["start"], ActionTimeout = TimeSpan.FromSeconds(90) };
        var restartCommand = command with { Restart = ["restart"] };
        ClusterDefinition Cluster(NodeControlSettings control, bool enabled = true) =>
            new("c", "C", "zk1:2181", ClusterOrigin.Settings) { Maintenance = new MaintenanceSettings { Enabled = enabled, Control = control } };

        Assert.Equal(TimeSpan.FromSeconds(195), MaintenanceShutdown.Allowance([Cluster(command)]));
        Assert.Equal(TimeSpan.FromSeconds(105), MaintenanceShutdown.Allowance([Cluster(restartCommand)]));
        Assert.Equal(MaintenanceShutdown.Margin, MaintenanceShutdown.Allowance([Cluster(new NodeControlSettings(NodeControlKind.Manual)), Cluster(command, enabled: false)]));
    }

    [Fact]
    public async Task App_CommandControlWithLongTimeout_HostShutdownTimeoutCoversIt()
    {
        await using var app = new DashboardAppFactory(new()
        {
            ["Dashboard:Clusters:0:Name"] = "Prod",
            ["Dashboard:Clusters:0:ConnectString"] = "127.0.0.1:1",
            ["Dashboard:Clusters:0:Maintenance:Enabled"] = "true",
            ["Dashboard:Clusters:0:Maintenance:Control:Kind"] = "command",
            ["Dashboard:Clusters:0:Maintenance:Control:Stop:0"] = "/bin/true",
            ["Dashboard:Clusters:0:Maintenance:Control:Start:0"] = "/bin/true",
            ["Dashboard:Clusters:0:Maintenance:Control:ActionTimeout"] = "00:03:00",
        });
        var host = app.Services.GetRequiredService<IOptions<HostOptions>>().Value;
        Assert.True(host.ShutdownTimeout >= TimeSpan.FromMinutes(6), $"shutdown timeout {host.ShutdownTimeout}");
    }
}
