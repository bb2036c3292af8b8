using Dashboard.Core.Clusters;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Support;

/// <summary>The real app, hosted in-process. <see cref="StartRealServer"/> puts it on a loopback port for a browser.</summary>
public sealed class DashboardAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    private readonly string _dataFolder = Directory.CreateTempSubdirectory("dashboard-app-").FullName;

    public DashboardAppFactory(Dictionary<string, string?>? settings = null)
    {
        _settings = settings ?? [];
        // Each app gets its own history file, so parallel tests never share one.
        _settings.TryAdd("History:DatabasePath", Path.Combine(_dataFolder, "history.db"));
    }

    public string DataFolder => _dataFolder;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_dataFolder)) Directory.Delete(_dataFolder, recursive: true);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public ClusterRegistry Registry => Services.GetRequiredService<ClusterRegistry>();

    /// <summary>Starts Kestrel on a free loopback port and returns the base address.</summary>
    public Uri StartRealServer()
    {
        UseKestrel(0);
        StartServer();
        return ClientOptions.BaseAddress;
    }
}
