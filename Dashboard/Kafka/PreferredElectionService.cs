using System.Security.Claims;
using Dashboard.Access;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Kafka;
using Dashboard.Core.Maintenance;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Kafka;

/// <summary>What a request for a preferred leader election came to: an HTTP-like status, the result when one was asked, or why not.</summary>
public sealed record PreferredElectionAnswer(int Status, PreferredElectionResult? Result, string? Error)
{
    public bool Accepted => Result?.Accepted == true;

    /// <summary>One sentence for the page or a snackbar, the reason first when it was refused.</summary>
    public string Message => Result is null ? "Refused: " + Error : (Result.Accepted ? "" : "Refused: ") + Capitalized(Result.Message) + ".";

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>
/// Requests a preferred leader election for a user. The role check and the audit entry live here, not in HTTP
/// middleware: a click inside a circuit passes none, so the page and the JSON endpoint both come through this.
/// Operators only; every attempt past the role check is audited, a refusal for the role is audited too.
/// It goes through the cluster's broker roll checks, which keep a ZooKeeper session of their own.
/// </summary>
internal sealed class PreferredElectionService(ClusterRegistry registry, IMaintenanceTargets targets, IAuditLog audit, TimeProvider time)
{
    public const string AuditAction = "kafka-preferred-election";

    /// <param name="clientAddress">Where the request came from: the HTTP client, or "circuit" for a click in an open page.</param>
    public async Task<PreferredElectionAnswer> RequestAsync(ClaimsPrincipal user, string clusterId, string? topic, string? clientAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        topic = string.IsNullOrWhiteSpace(topic) ? null : topic.Trim();
        var target = topic is null ? $"{clusterId}/all topics" : $"{clusterId}/{topic}";
        if (!user.IsInRole(DashboardRoles.Operator))
        {
            Record(user, clientAddress, target, AuditOutcome.Denied, "the operator role is needed");
            var status = user.Identity?.IsAuthenticated == true ? 403 : 401;
            return new(status, null, "requesting an election needs the operator role");
        }
        if (registry.Find(clusterId) is null) return new(404, null, $"no cluster has the id '{clusterId}'");
        if (targets.Find(clusterId)?.Kafka is not { } kafka)
        {
            Record(user, clientAddress, target, AuditOutcome.Failed, "no Kafka is watched on this cluster");
            return new(404, null, $"no Kafka is watched on cluster '{clusterId}'");
        }
        try
        {
            var result = await kafka.Checks.RequestPreferredLeaderElectionAsync(clusterId, topic, cancellationToken).ConfigureAwait(false);
            Record(user, clientAddress, target, result.Accepted ? AuditOutcome.Succeeded : AuditOutcome.Failed, result.Message,
                after: result.Partitions.Count == 0 ? null : $"{result.Partitions.Count} partition(s)");
            var status = result.Outcome switch
            {
                PreferredElectionOutcome.Requested => 202,
                PreferredElectionOutcome.NothingToElect => 200,
                PreferredElectionOutcome.AlreadyPending or PreferredElectionOutcome.KraftController => 409,
                _ => 404,
            };
            return new(status, result, null);
        }
        catch (Exception e) when (e is ZooKeeperException or TimeoutException or IOException)
        {
            var error = $"ZooKeeper could not be reached to request the election: {e.Message}";
            Record(user, clientAddress, target, AuditOutcome.Failed, error);
            return new(503, null, error);
        }
    }

    private void Record(ClaimsPrincipal user, string? address, string target, AuditOutcome outcome, string detail, string? after = null) =>
        audit.Record(new AuditEntry(time.GetUtcNow(), DashboardPrincipal.NameOf(user), address, AuditAction, target, outcome) { After = after, Detail = detail });
}
