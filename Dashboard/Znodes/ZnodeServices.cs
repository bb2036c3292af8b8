using Dashboard.Core.Clusters;
using Dashboard.Core.Znodes;
using Dashboard.Core.ZooKeeper;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dashboard.Znodes;

internal static class ZnodeServices
{
    public static IServiceCollection AddZnodes(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Znodes").Get<ZnodeOptions>() ?? new ZnodeOptions();
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ZooKeeperClientPool(sp.GetRequiredService<ClusterRegistry>(), new ZooKeeperClientOptions
        {
            MaxFrameSize = options.MaxFrameSize,
            RequestTimeout = options.RequestTimeout,
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(3, options.RequestTimeout.TotalSeconds)),
        }));
        services.AddSingleton<ZnodeBrowser>();
        services.AddSingleton<ZnodeWriteGate>();
        services.AddSingleton<ZnodeSearchJobs>();
        services.AddSingleton<ZnodeWriteService>();
        services.AddSingleton<InMemoryZnodeChangeRecorder>();
        services.AddSingleton<IZnodeChangeRecorder, AuditedZnodeChangeRecorder>();
        return services;
    }

    public static WebApplication UseZnodes(this WebApplication app)
    {
        app.MapZnodes(app.Services.GetRequiredService<ZnodeOptions>());
        return app;
    }
}
