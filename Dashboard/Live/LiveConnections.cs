using System.Collections.Concurrent;
using Dashboard.Access;
using Dashboard.Core.Access;
using Microsoft.AspNetCore.SignalR;

namespace Dashboard.Live;

/// <summary>
/// Open live connections. A connection is authenticated once, when it opens; this re-checks every signed-in one
/// periodically against its server-side session and the settings, and closes those whose session has ended or
/// whose user was removed or given another role, as every request is re-checked.
/// </summary>
internal sealed class LiveConnections
{
    /// <summary>Negotiated connections that never connect are forgotten after this.</summary>
    private static readonly TimeSpan Unconnected = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, HubCallerContext> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Owner> _owners = new(StringComparer.Ordinal);

    public void Add(HubCallerContext context)
    {
        _open[context.ConnectionId] = context;
        foreach (var (token, owner) in _owners.Where(o => o.Value.ConnectionId == context.ConnectionId))
            _owners[token] = owner with { IsConnected = true };
    }

    public void Remove(string connectionId)
    {
        _open.TryRemove(connectionId, out _);
        foreach (var token in _owners.Where(o => o.Value.ConnectionId == connectionId).Select(o => o.Key).ToList()) _owners.TryRemove(token, out _);
    }

    /// <summary>Binds a negotiated connection token to who negotiated it (see <see cref="LiveConnectionOwners"/>).</summary>
    public void Negotiated(string token, string connectionId, string identity)
    {
        var cutoff = DateTimeOffset.UtcNow - Unconnected;
        foreach (var stale in _owners.Where(o => !o.Value.IsConnected && o.Value.Created < cutoff).Select(o => o.Key).ToList()) _owners.TryRemove(stale, out _);
        _owners[token] = new Owner(identity, connectionId, DateTimeOffset.UtcNow, false);
    }

    /// <summary>Who negotiated this connection token, or null when it is not (or no longer) known.</summary>
    public string? OwnerOf(string token) => _owners.TryGetValue(token, out var owner) ? owner.Identity : null;

    private sealed record Owner(string Identity, string ConnectionId, DateTimeOffset Created, bool IsConnected);

    public int Count => _open.Count;

    /// <summary>Closes every connection whose session no longer stands; returns how many were closed.</summary>
    public async Task<int> RecheckAsync(SessionStore sessions, UserDirectory users, CancellationToken cancellationToken)
    {
        var closed = 0;
        foreach (var (id, context) in _open)
        {
            if (DashboardPrincipal.SessionOf(context.User) is not { } sessionId) continue; // proxy and token users are judged per request
            var session = await sessions.FindActiveAsync(sessionId, cancellationToken).ConfigureAwait(false);
            if (session is not null && users.RoleOf(session.User) == session.Role) continue;
            context.Abort();
            Remove(id);
            closed++;
        }
        return closed;
    }
}

/// <summary>Runs <see cref="LiveConnections.RecheckAsync"/> every <see cref="Interval"/>.</summary>
internal sealed class LiveConnectionRecheck(LiveConnections connections, SessionStore sessions, UserDirectory users, ILogger<LiveConnectionRecheck> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var closed = await connections.RecheckAsync(sessions, users, stoppingToken).ConfigureAwait(false);
                if (closed > 0) log.LogInformation("Closed {Count} live connection(s) whose session has ended.", closed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
