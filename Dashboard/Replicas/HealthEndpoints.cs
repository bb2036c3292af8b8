using Dapper;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;

namespace Dashboard.Replicas;

/// <summary>
/// For load balancers and orchestrators, without sign-in and without detail a stranger could use: <c>/healthz</c>
/// (the process answers: restart it if not) and <c>/readyz</c> (the history database answers and every cluster's
/// poller has polled lately: send it users). A replica that is not ready still monitors.
/// </summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok\n")).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet("/readyz", ReadyAsync).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> ReadyAsync(HistoryDatabase database, ClusterRegistry registry, EnsembleStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await Task.Run(() =>
            {
                using var connection = database.Open();
                connection.ExecuteScalar<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
            }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or OperationCanceledException or InvalidOperationException or IOException)
        {
            problems.Add("history database not reachable");
        }
        var now = time.GetUtcNow();
        foreach (var cluster in registry.Clusters.Where(c => c.Availability is ClusterAvailability.Configured or ClusterAvailability.Ready && !c.Definition.Nodes.IsDefaultOrEmpty))
        {
            // A poll may take its own timeout on top of the interval; three intervals and then some is "not polling".
            var allowance = cluster.Definition.PollInterval * 3 + TimeSpan.FromSeconds(10);
            var latest = store.Get(cluster.Definition.Id)?.Latest.TakenAt;
            if (latest is null || now - latest > allowance) problems.Add($"cluster {cluster.Definition.Id} not polled lately");
        }
        return problems.Count == 0 ? Results.Text("ready\n") : Results.Text("not ready: " + string.Join("; ", problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
