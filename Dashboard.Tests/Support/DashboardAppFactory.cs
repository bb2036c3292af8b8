using System.Net;
using Dashboard.Core.Clusters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dashboard.Tests.Support;

/// <summary>The real app, hosted in-process. <see cref="StartRealServer"/> puts it on a loopback port for a browser.</summary>
public sealed class DashboardAppFactory : WebApplicationFactory<Program>
{
    /// <summary>A test sets the client address a request seems to come from with this header (test host only).</summary>
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    private readonly Dictionary<string, string?> _settings;
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("dashboard-app-").FullName;

    public DashboardAppFactory(Dictionary<string, string?>? settings = null)
    {
        _settings = settings ?? [];
        // Each app gets its own history file, never the user's real one, so parallel tests never share one.
        _settings.TryAdd("History:DatabasePath", Path.Combine(_dataFolder, "history.db"));
    }

    public string DataFolder => _dataFolder;

    public string HistoryPath => _settings["History:DatabasePath"]!;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_dataFolder)) Directory.Delete(_dataFolder, recursive: true);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, TestRemoteAddress>());
    }

    /// <summary>The in-memory test server has no client address; this lets tests play a proxy or a stranger.</summary>
    private sealed class TestRemoteAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[RemoteAddressHeader].ToString(), out var address))
                    context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
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
