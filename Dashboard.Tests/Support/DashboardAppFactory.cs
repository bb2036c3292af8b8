using Dashboard.Core.Clusters;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Support;

/// <summary>The real app, hosted in-process. <see cref="StartRealServer"/> puts it on a loopback port for a browser.</summary>
public sealed class DashboardAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public DashboardAppFactory(Dictionary<string, string?>? settings = null) => _settings = settings ?? [];

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
