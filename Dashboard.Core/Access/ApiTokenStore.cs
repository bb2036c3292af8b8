using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Core.Access;

/// <summary>
/// API tokens for scripts. Only a token's SHA-256 is stored (a token is 256 random bits, so a plain hash is
/// enough: there is nothing to guess). Every token is also held in memory, so checking one costs no database read
/// and a revocation takes effect at once; writes go through the history's single write queue.
/// </summary>
public sealed class ApiTokenStore(HistoryDatabase database, HistoryWriter writer, TimeProvider time)
{
    /// <summary>Tokens start with this, so a leaked one is easy to recognise (and to scan for).</summary>
    public const string Prefix = "zkd_";
    public const int MaxNameLength = 100;

    private readonly Dictionary<string, ApiToken> _byHash = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private bool _loaded;

    public async Task<IssuedApiToken> CreateAsync(string name, DashboardRole role, string createdBy, CancellationToken cancellationToken = default)
    {
        var (token, secret, hash) = NewToken(name, role, createdBy);
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate) _byHash[hash] = token;
        writer.Enqueue(new ApiTokenCreateWrite(token, hash));
        var saved = await writer.FlushAsync().ConfigureAwait(false);
        return new IssuedApiToken(token, secret, saved);
    }

    /// <summary>A token that lives only as long as this process (the sandbox's token for scripts).</summary>
    public IssuedApiToken CreateForThisRun(string name, DashboardRole role, string createdBy)
    {
        var (token, secret, hash) = NewToken(name, role, createdBy);
        token = token with { ForThisRunOnly = true };
        lock (_gate) _byHash[hash] = token;
        return new IssuedApiToken(token, secret, Saved: false);
    }

    /// <summary>The active token a secret belongs to, or null (unknown, malformed or revoked).</summary>
    public async Task<ApiToken?> FindActiveAsync(string? secret, CancellationToken cancellationToken = default)
    {
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal) || secret.Length > 200) return null;
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        var hash = Hash(secret);
        if (database.Provider.IsShared) await RecheckSharedAsync(hash, cancellationToken).ConfigureAwait(false);
        lock (_gate) return _byHash.TryGetValue(hash, out var token) && !token.IsRevoked ? token : null;
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate) return _byHash.Values.OrderByDescending(t => t.CreatedAt).ToList();
    }

    /// <summary>Revokes a token by its id; returns it as it was before, or null when there is no such active token.</summary>
    public async Task<ApiToken?> RevokeAsync(string id, string revokedBy, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        ApiToken? before;
        lock (_gate)
        {
            var entry = _byHash.FirstOrDefault(e => string.Equals(e.Value.Id, id, StringComparison.Ordinal));
            before = entry.Value;
            if (before is null || before.IsRevoked) return null;
            _byHash[entry.Key] = before with { RevokedBy = revokedBy, RevokedAt = time.GetUtcNow() };
        }
        if (!before.ForThisRunOnly)
        {
            writer.Enqueue(new ApiTokenRevokeWrite(id, revokedBy, time.GetUtcNow()));
            await writer.FlushAsync().ConfigureAwait(false);
        }
        return before;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private (ApiToken Token, string Secret, string Hash) NewToken(string name, DashboardRole role, string createdBy)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength) throw new ArgumentException($"A token needs a name of 1 to {MaxNameLength} characters.", nameof(name));
        if (!DashboardRoles.All.Contains(role)) throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role.");
        var secret = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        return (new ApiToken(id, name, role, createdBy, time.GetUtcNow()), secret, Hash(secret));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _loaded)) return;
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_loaded) return;
            var stored = await ReadStoredAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
                foreach (var (hash, token) in stored) _byHash.TryAdd(hash, token);
            Volatile.Write(ref _loaded, true);
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// With replicas on one database, a token made or revoked by another replica: read its row at each use, so a
    /// revocation anywhere refuses the token everywhere at its next request (one indexed read per request).
    /// </summary>
    private async Task RecheckSharedAsync(string hash, CancellationToken cancellationToken)
    {
        lock (_gate)
            if (_byHash.TryGetValue(hash, out var known) && known.ForThisRunOnly) return;
        List<(string Hash, ApiToken Token)> rows;
        try
        {
            rows = await ReadStoredAsync(cancellationToken, hash).ConfigureAwait(false);
        }
        catch (Exception e) when (database.Provider.IsUnavailable(e))
        {
            return; // the database is down: what this replica knows holds
        }
        lock (_gate)
        {
            if (rows.Count == 0) return; // unknown: not remembered, so a guess costs a read but fills no memory
            _byHash[hash] = rows[0].Token;
        }
    }

    private async Task<List<(string Hash, ApiToken Token)>> ReadStoredAsync(CancellationToken cancellationToken, string? onlyHash = null)
    {
        if (!database.MayHoldData) return [];
        try
        {
            using var connection = database.Open(readOnly: true);
            var rows = await connection.QueryAsync<TokenRow>(new CommandDefinition(
                "SELECT id AS Id, name AS Name, role AS Role, sha256 AS Sha256, created_by AS CreatedBy, created_ms AS CreatedMs, revoked_by AS RevokedBy, revoked_ms AS RevokedMs FROM api_tokens"
                + (onlyHash is null ? "" : " WHERE sha256 = @Hash"), new { Hash = onlyHash },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Where(r => DashboardRoles.TryParse(r.Role, out _)).Select(r =>
            {
                DashboardRoles.TryParse(r.Role, out var role);
                return (r.Sha256, new ApiToken(r.Id, r.Name, role, r.CreatedBy, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedMs))
                {
                    RevokedBy = r.RevokedBy,
                    RevokedAt = r.RevokedMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
                });
            }).ToList();
        }
        catch (Exception e) when (database.Provider.IsMissingTable(e))
        {
            // "no such table": the writer has not migrated this file yet, so it holds no token.
            return [];
        }
    }

#pragma warning disable CA1812 // created by Dapper
    private sealed class TokenRow { public string Id { get; set; } = ""; public string Name { get; set; } = ""; public string Role { get; set; } = ""; public string Sha256 { get; set; } = ""; public string CreatedBy { get; set; } = ""; public long CreatedMs { get; set; } public string? RevokedBy { get; set; } public long? RevokedMs { get; set; } }
#pragma warning restore CA1812
}

public sealed record ApiTokenCreateWrite(ApiToken Token, string Sha256) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute(
            sql.InsertIgnore("api_tokens", "id, name, role, sha256, created_by, created_ms", "VALUES (@Id, @Name, @Role, @Sha256, @CreatedBy, @CreatedMs)"),
            new { Token.Id, Token.Name, Role = Token.Role.Name(), Sha256, Token.CreatedBy, CreatedMs = Ms(Token.CreatedAt) }, transaction);
}

public sealed record ApiTokenRevokeWrite(string Id, string RevokedBy, DateTimeOffset At) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute("UPDATE api_tokens SET revoked_by = @RevokedBy, revoked_ms = @At WHERE id = @Id AND revoked_ms IS NULL",
            new { Id, RevokedBy, At = Ms(At) }, transaction);
}
