using Dashboard.Access;
using Dashboard.Components;
using Dashboard.Core.Clusters;
using Dashboard.Core.Sandbox;
using Dashboard.History;
using Dashboard.Live;

namespace Dashboard.Hosting;

internal static class DashboardServices
{
    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration, bool sandbox)
    {
        services.AddRazorComponents();
        services.AddSignalR(o => o.MaximumReceiveMessageSize = 32 * 1024);
        services.AddHistory(configuration);
        services.AddDashboardAccess(configuration, sandbox);
        services.AddSingleton(_ => new ClusterRegistry(ReadClusters(configuration)));
        services.AddSingleton<LiveFragmentPublisher>();
        services.AddHostedService<ClusterListPusher>();
        services.AddHostedService<HistoryStatusPusher>();

        if (sandbox)
        {
            services.AddSingleton(configuration.GetSection("Sandbox").Get<SandboxSettings>() ?? new SandboxSettings());
            services.AddHostedService<SandboxHost>();
        }
        return services;
    }

    public static WebApplication UseDashboard(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseStaticFiles();
        // Routing, authentication, rate limiting, authorization (a fallback policy covers every endpoint), antiforgery.
        app.UseDashboardAccess();
        app.MapHub<LiveHub>("/hubs/live", o => o.CloseOnAuthenticationExpiration = true).RequireAuthorization(AccessPolicies.Read);
        app.MapRazorComponents<App>();
        return app;
    }

    private static List<ClusterDefinition> ReadClusters(IConfiguration configuration)
    {
        var options = configuration.GetSection("Dashboard:Clusters").Get<List<ClusterOptions>>() ?? [];
        return options.Select(ClusterDefinition.FromOptions).ToList();
    }
}
