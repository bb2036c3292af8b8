using Dashboard.Access;
using Dashboard.Api;
using Dashboard.Components;
using Dashboard.Core.AdminServer;
using Dashboard.Core.Ensemble;
using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka;
using Dashboard.Core.Sandbox;
using Dashboard.History;
using Dashboard.Maintenance;
using Dashboard.Membership;
using Dashboard.Monitoring;
using Dashboard.Replicas;
using Dashboard.Znodes;
using MudBlazor.Services;

namespace Dashboard.Hosting;

internal static class DashboardServices
{
    public const long CircuitMessageLimit = 8 * 1024 * 1024;

    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration, bool sandbox)
    {
        // A znode value up to ZooKeeper's 1 MB limit is edited in the circuit: the message carrying it (JSON, where a
        // non-ASCII character may grow to six bytes) must fit; the default 32 KB drops the circuit at ~20,000 characters.
        services.AddRazorComponents()
            .AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = CircuitMessageLimit);
        services.AddMudServices();
        services.AddCascadingAuthenticationState();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, CircuitAuthenticationRevalidation>();
        services.AddHistory(configuration);
        services.AddReplicas(configuration);
        services.AddDashboardAccess(configuration, sandbox);
        services.AddSingleton(_ => new ClusterRegistry(ReadClusters(configuration)));
        services.AddSingleton<HubConnectionRegistry>();
        services.AddZnodes(configuration);

        // Ensemble monitoring: one HttpClient for every AdminServer (each call carries its own timeout).
        services.AddSingleton(_ => new AdminServerClient(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan }));
        services.AddSingleton<EnsembleStore>();
        services.AddHostedService<EnsembleMonitor>();

        // Kafka on the same ensembles: one watcher per cluster that has Kafka, a live store the pages subscribe to.
        services.AddSingleton<KafkaStore>();
        services.AddHostedService<KafkaMonitor>();
        services.AddSingleton<Dashboard.Kafka.PreferredElectionService>();

        if (sandbox)
        {
            services.AddSingleton(configuration.GetSection("Sandbox").Get<SandboxSettings>() ?? new SandboxSettings());
            services.AddHostedService<SandboxHost>();
        }
        // After the sandbox: hosted services stop in reverse order, so runs pause before the sandbox's nodes stop.
        services.AddMaintenance();
        services.AddMembership();
        return services;
    }

    public static WebApplication UseDashboard(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        // A fresh scope: a page that answers 404 itself (NavigationManager.NotFound) would otherwise re-run in its own scope and fail.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseStaticFiles();
        // Routing, authentication, rate limiting, authorization (a fallback policy covers every endpoint), antiforgery.
        app.UseDashboardAccess();
        app.UseMiddleware<HubConnectionOwners>();
        app.MapHealth();
        app.MapEnsembleApi();
        app.MapHistoryApi();
        app.UseZnodes();
        app.MapMaintenanceApi();
        app.MapMembershipApi();
        app.MapKafkaApi();
        app.MapKafkaElection();
        // Pages and their circuits fall under the fallback policy: a circuit is a read (MethodAwareRequirement); each
        // action inside it checks its own role in the service it calls.
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode();
        return app;
    }

    private static List<ClusterDefinition> ReadClusters(IConfiguration configuration)
    {
        var options = configuration.GetSection("Dashboard:Clusters").Get<List<ClusterOptions>>() ?? [];
        return options.Select(ClusterDefinition.FromOptions).ToList();
    }
}
