using Dashboard.Core.Access;

namespace Dashboard.Access;

/// <summary>
/// Records an action in the audit log with the who, from where and when taken from the request. Features call
/// this after doing (or refusing) something: <c>audit.Record(HttpContext, "znode-set", path, outcome, before, after)</c>;
/// from a hub method pass <c>Context.GetHttpContext()</c>. Before/after describe versions and sizes, never secrets.
/// </summary>
internal sealed class RequestAudit(IAuditLog log, TimeProvider time)
{
    public void Record(HttpContext http, string action, string? target, AuditOutcome outcome,
        string? before = null, string? after = null, string? detail = null, string? user = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        log.Record(new AuditEntry(time.GetUtcNow(), user ?? DashboardPrincipal.NameOf(http.User), AddressOf(http), action, target, outcome)
        {
            Before = before, After = after, Detail = detail,
        });
    }

    /// <summary>The client's address; behind a trusted proxy, the client it forwarded for (kept next to the proxy's).</summary>
    public string? AddressOf(HttpContext http)
    {
        if (http.Features.Get<ForwardedClient>() is { } forwarded) return $"{forwarded.Client} via {forwarded.Proxy}";
        var remote = http.Connection.RemoteIpAddress;
        return remote?.IsIPv4MappedToIPv6 == true ? remote.MapToIPv4().ToString() : remote?.ToString();
    }
}
