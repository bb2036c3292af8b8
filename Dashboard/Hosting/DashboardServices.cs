using Dashboard.Components;
using Dashboard.Core.Clusters;
using Dashboard.Core.Sandbox;
using Dashboard.History;
using Dashboard.Live;
using Dashboard.Znodes;

namespace Dashboard.Hosting;

internal static class DashboardServices
{
    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration, bool sandbox)
    {
        services.AddRazorComponents();
        services.AddSignalR();
        services.AddSingleton(_ => new ClusterRegistry(ReadClusters(configuration)));
        services.AddHistory(configuration);
        services.AddSingleton<LiveFragmentPublisher>();
        services.AddHostedService<ClusterListPusher>();
        services.AddHostedService<HistoryStatusPusher>();
        services.AddZnodes(configuration);

        if (sandbox)
        {
            services.AddSingleton(configuration.GetSection("Sandbox").Get<SandboxSettings>() ?? new SandboxSettings());
            services.AddHostedService<SandboxHost>();
        }
        return services;
    }

    public static WebApplication UseDashboard(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseStaticFiles();
        app.UseAntiforgery();
        app.MapHub<LiveHub>("/hubs/live");
        app.UseZnodes();
        app.MapRazorComponents<App>();
        return app;
    }

    private static List<ClusterDefinition> ReadClusters(IConfiguration configuration)
    {
        var options = configuration.GetSection("Dashboard:Clusters").Get<List<ClusterOptions>>() ?? [];
        return options.Select(ClusterDefinition.FromOptions).ToList();
    }
}
