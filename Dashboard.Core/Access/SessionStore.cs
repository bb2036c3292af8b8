using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Core.Access;

/// <summary>One signed-in session as the server knows it. The cookie carries only its id.</summary>
public sealed record DashboardSession(string Id, string User, DashboardRole Role, string? Address, DateTimeOffset CreatedAt)
{
    public DateTimeOffset LastSeen { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public string? EndedBy { get; init; }
    public string? EndReason { get; init; }

    /// <summary>Not ended, and used within the session lifetime (it slides with use, as the cookie does).</summary>
    public bool IsActive(DateTimeOffset now, TimeSpan lifetime) => EndedAt is null && now < LastSeen + lifetime;
}

/// <summary>
/// Sessions known to the server, so signing out, a revocation by an admin, or removing a user ends a session for
/// every copy of its cookie. Kept in memory (a check costs no database read, and an end takes effect at once) and
/// in the history database (a restart of the same installation keeps people signed in). Writes go through the
/// history's single write queue; last use is written at most once a minute per session.
/// </summary>
public sealed class SessionStore(HistoryDatabase database, HistoryWriter writer, TimeProvider time, TimeSpan lifetime)
{
    /// <summary>Active sessions one user may hold; signing in once more ends the oldest (memory stays bounded).</summary>
    public const int MaxSessionsPerUser = 20;

    /// <summary>Ended and expired sessions stay listed this long, then their rows are deleted.</summary>
    public static readonly TimeSpan KeepEnded = TimeSpan.FromDays(30);

    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, DashboardSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private bool _loaded;

    public TimeSpan Lifetime => lifetime;

    public async Task<DashboardSession> CreateAsync(string user, DashboardRole role, string? address, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var session = new DashboardSession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), user, role, address, now) { LastSeen = now };
        List<DashboardSession> crowded;
        lock (_gate)
        {
            _sessions[session.Id] = session;
            crowded = ActiveLocked(now).Where(s => string.Equals(s.User, user, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(s => s.LastSeen).Skip(MaxSessionsPerUser).ToList();
            foreach (var old in crowded) _sessions[old.Id] = Ended(old, now, "dashboard", "too many sessions for this user: the least recently used ended");
        }
        writer.Enqueue(new SessionCreateWrite(session));
        foreach (var old in crowded) writer.Enqueue(new SessionEndWrite(old.Id, now, "dashboard", "too many sessions"));
        await writer.FlushAsync().ConfigureAwait(false);
        return session;
    }

    /// <summary>The active session of this id, or null (unknown, ended, expired); notes its use.</summary>
    public async Task<DashboardSession?> FindActiveAsync(string? id, CancellationToken cancellationToken = default)
    {
        if (id is not { Length: 32 }) return null;
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (database.Provider.IsShared) await RecheckSharedAsync(id, cancellationToken).ConfigureAwait(false);
        DashboardSession? touched = null;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(id, out var session) || !session.IsActive(now, lifetime)) return null;
            if (now - session.LastSeen >= TouchInterval) _sessions[id] = touched = session with { LastSeen = now };
            else return session;
        }
        writer.Enqueue(new SessionTouchWrite(id, now));
        return touched;
    }

    /// <summary>Ends one session; returns it as it was, or null when there is no such active session.</summary>
    public async Task<DashboardSession?> EndAsync(string id, string endedBy, string reason, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        DashboardSession? before;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(id, out before) || !before.IsActive(now, lifetime)) return null;
            _sessions[id] = Ended(before, now, endedBy, reason);
        }
        writer.Enqueue(new SessionEndWrite(id, now, endedBy, reason));
        await writer.FlushAsync().ConfigureAwait(false);
        return before;
    }

    /// <summary>Ends every active session of a user; returns how many were ended.</summary>
    public async Task<int> EndAllForUserAsync(string user, string endedBy, string reason, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        List<DashboardSession> ended;
        lock (_gate)
        {
            ended = ActiveLocked(now).Where(s => string.Equals(s.User, user?.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
            foreach (var s in ended) _sessions[s.Id] = Ended(s, now, endedBy, reason);
        }
        foreach (var s in ended) writer.Enqueue(new SessionEndWrite(s.Id, now, endedBy, reason));
        if (ended.Count > 0) await writer.FlushAsync().ConfigureAwait(false);
        return ended.Count;
    }

    /// <summary>Active sessions, most recently used first (with replicas: those of every replica).</summary>
    public async Task<IReadOnlyList<DashboardSession>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        if (database.Provider.IsShared)
        {
            try
            {
                var stored = await ReadActiveAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                lock (_gate)
                    foreach (var session in stored) _sessions.TryAdd(session.Id, session);
            }
            catch (Exception e) when (database.Provider.IsUnavailable(e))
            {
                // The database is down: list what this replica knows.
            }
        }
        lock (_gate) return ActiveLocked(time.GetUtcNow()).OrderByDescending(s => s.LastSeen).ToList();
    }

    private List<DashboardSession> ActiveLocked(DateTimeOffset now) => _sessions.Values.Where(s => s.IsActive(now, lifetime)).ToList();

    private static DashboardSession Ended(DashboardSession session, DateTimeOffset now, string by, string reason) =>
        session with { EndedAt = now, EndedBy = by, EndReason = reason };

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _loaded)) return;
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded) return;
            var now = time.GetUtcNow();
            var stored = await ReadActiveAsync(now, cancellationToken).ConfigureAwait(false);
            lock (_gate)
                foreach (var session in stored) _sessions.TryAdd(session.Id, session);
            writer.Enqueue(new SessionPruneWrite(now - KeepEnded, now - lifetime - KeepEnded));
            Volatile.Write(ref _loaded, true);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// A session another replica made is not in this one's memory, and one another replica ended is still active
    /// in it: read the row at each use. A sign-out or revocation on any replica must refuse the cookie everywhere
    /// at its next request (a copied cookie is the threat); the cost is one primary-key read per signed-in request.
    /// A database that is down leaves the memory as it is (users stay signed in on what is known).
    /// </summary>
    private async Task RecheckSharedAsync(string id, CancellationToken cancellationToken)
    {
        SessionRow? row;
        try
        {
            using var connection = database.Open(readOnly: true);
            row = await connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(
                "SELECT id AS Id, user_name AS UserName, role AS Role, address AS Address, created_ms AS CreatedMs, last_seen_ms AS LastSeenMs, ended_ms AS EndedMs, ended_by AS EndedBy, end_reason AS EndReason FROM sessions WHERE id = @Id",
                new { Id = id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (database.Provider.IsUnavailable(e) || database.Provider.IsMissingTable(e))
        {
            return;
        }
        if (row is null || !DashboardRoles.TryParse(row.Role, out var role)) return; // unknown, or made here and not yet written
        lock (_gate)
        {
            var stored = new DashboardSession(row.Id, row.UserName, role, row.Address, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedMs))
            {
                LastSeen = DateTimeOffset.FromUnixTimeMilliseconds(row.LastSeenMs),
                EndedAt = row.EndedMs is { } ended ? DateTimeOffset.FromUnixTimeMilliseconds(ended) : null,
                EndedBy = row.EndedBy,
                EndReason = row.EndReason,
            };
            // Last use is the later of the two (each replica writes its own at most once a minute); an end anywhere ends it.
            if (_sessions.TryGetValue(id, out var cached))
                stored = stored with { LastSeen = cached.LastSeen > stored.LastSeen ? cached.LastSeen : stored.LastSeen, EndedAt = stored.EndedAt ?? cached.EndedAt, EndedBy = stored.EndedBy ?? cached.EndedBy, EndReason = stored.EndReason ?? cached.EndReason };
            _sessions[id] = stored;
        }
    }

    private async Task<List<DashboardSession>> ReadActiveAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!database.MayHoldData) return [];
        try
        {
            using var connection = database.Open(readOnly: true);
            var rows = await connection.QueryAsync<SessionRow>(new CommandDefinition(
                "SELECT id AS Id, user_name AS UserName, role AS Role, address AS Address, created_ms AS CreatedMs, last_seen_ms AS LastSeenMs FROM sessions WHERE ended_ms IS NULL AND last_seen_ms > @Since",
                new { Since = HistoryWrite.Ms(now - lifetime) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Where(r => DashboardRoles.TryParse(r.Role, out _)).Select(r =>
            {
                DashboardRoles.TryParse(r.Role, out var role);
                return new DashboardSession(r.Id, r.UserName, role, r.Address, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedMs))
                {
                    LastSeen = DateTimeOffset.FromUnixTimeMilliseconds(r.LastSeenMs),
                };
            }).ToList();
        }
        catch (Exception e) when (database.Provider.IsMissingTable(e))
        {
            return []; // "no such table": the writer has not migrated this file yet, so it holds no session.
        }
        catch (Exception e) when (database.Provider.IsShared && database.Provider.IsUnavailable(e))
        {
            return []; // a shared database that is down: each session is read when it is next used (RecheckSharedAsync)
        }
    }

#pragma warning disable CA1812 // created by Dapper
    private sealed class SessionRow
    {
        public string Id { get; set; } = "";
        public string UserName { get; set; } = "";
        public string Role { get; set; } = "";
        public string? Address { get; set; }
        public long CreatedMs { get; set; }
        public long LastSeenMs { get; set; }
        public long? EndedMs { get; set; }
        public string? EndedBy { get; set; }
        public string? EndReason { get; set; }
    }
#pragma warning restore CA1812
}

public sealed record SessionCreateWrite(DashboardSession Session) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute(
            sql.InsertIgnore("sessions", "id, user_name, role, address, created_ms, last_seen_ms", "VALUES (@Id, @User, @Role, @Address, @CreatedMs, @CreatedMs)"),
            new { Session.Id, Session.User, Role = Session.Role.Name(), Session.Address, CreatedMs = Ms(Session.CreatedAt) }, transaction);
}

public sealed record SessionTouchWrite(string Id, DateTimeOffset At) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute("UPDATE sessions SET last_seen_ms = @At WHERE id = @Id AND ended_ms IS NULL", new { Id, At = Ms(At) }, transaction);
}

public sealed record SessionEndWrite(string Id, DateTimeOffset At, string EndedBy, string Reason) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute("UPDATE sessions SET ended_ms = @At, ended_by = @EndedBy, end_reason = @Reason WHERE id = @Id AND ended_ms IS NULL",
            new { Id, At = Ms(At), EndedBy, Reason }, transaction);
}

/// <summary>Deletes sessions ended, or last used, longer ago than they are kept.</summary>
public sealed record SessionPruneWrite(DateTimeOffset EndedBefore, DateTimeOffset LastSeenBefore) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute("DELETE FROM sessions WHERE ended_ms < @Ended OR (ended_ms IS NULL AND last_seen_ms < @Seen)",
            new { Ended = Ms(EndedBefore), Seen = Ms(LastSeenBefore) }, transaction);
}
