using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.History;
using Dashboard.Core.Membership;

namespace Dashboard.Membership;

internal static class MembershipServices
{
    public static IServiceCollection AddMembership(this IServiceCollection services)
    {
        services.AddSingleton(sp => new MembershipStore(sp.GetRequiredService<HistoryDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IMembershipTargets>(sp => new RegistryMembershipTargets(sp.GetRequiredService<ClusterRegistry>()));
        services.AddSingleton(sp => new MembershipCoordinator(sp.GetRequiredService<MembershipStore>(), sp.GetRequiredService<IMembershipTargets>(),
            sp.GetRequiredService<IAuditLog>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MembershipActions>();
        services.AddHostedService<MembershipLifetime>();
        return services;
    }
}

/// <summary>At start, membership runs the last process left running become paused with the reason; at stop, runs stop being driven.</summary>
internal sealed partial class MembershipLifetime(MembershipCoordinator coordinator, Core.Replicas.ClusterLeases leases, ILogger<MembershipLifetime> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Replicas on one database: a run marked running may be driven by another replica right now; the lease
        // renewal pauses only those whose replica's lease lapsed.
        if (leases.IsShared) return Task.CompletedTask;
        try
        {
            var paused = coordinator.RecoverInterrupted();
            if (paused > 0) LogRecovered(logger, paused);
        }
        catch (System.Data.Common.DbException e)
        {
            LogUnreadable(logger, e);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await coordinator.DisposeAsync().ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} membership change(s) were interrupted by the last stop; they are paused until an admin resumes or aborts them.")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Membership runs could not be read from the history database.")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
