using System.Data.Common;
using Dapper;
using Dashboard.Core.History;

namespace Dashboard.Core.Access;

/// <summary>The audit log kept in the history database, written through its single write queue.</summary>
public sealed class HistoryAuditLog(HistoryWriter writer) : IAuditLog
{
    public void Record(AuditEntry entry) => writer.Enqueue(new AuditWrite(entry));
}

public sealed record AuditWrite(AuditEntry Entry) : HistoryWrite
{
    internal override void Apply(DbConnection connection, DbTransaction transaction, HistoryProvider sql) =>
        connection.Execute(
            """
            INSERT INTO audit_log (at_ms, user_name, address, action, target, outcome, before_json, after_json, detail)
            VALUES (@AtMs, @User, @Address, @Action, @Target, @Outcome, @Before, @After, @Detail)
            """,
            new
            {
                AtMs = Ms(Entry.At), User = Bound(Entry.User) ?? "", Address = Bound(Entry.Address), Action = Bound(Entry.Action) ?? "",
                Target = Bound(Entry.Target), Outcome = AuditOutcomes.Name(Entry.Outcome), Before = Bound(Entry.Before), After = Bound(Entry.After), Detail = Bound(Entry.Detail),
            }, transaction);

    private static string? Bound(string? text) => text is { Length: > AuditEntry.MaxFieldLength } ? text[..AuditEntry.MaxFieldLength] + "..." : text;
}

internal static class AuditOutcomes
{
    public static string Name(AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Succeeded => "succeeded",
        AuditOutcome.Failed => "failed",
        _ => "denied",
    };

    public static AuditOutcome Parse(string name) => name switch
    {
        "succeeded" => AuditOutcome.Succeeded,
        "failed" => AuditOutcome.Failed,
        _ => AuditOutcome.Denied,
    };
}

/// <summary>Filters for the audit page and its CSV export; every bound is optional.</summary>
public sealed record AuditQuery(string? User = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    public const int MaxLimit = 10_000;
    public int Limit { get; init; } = 200;
    public int Offset { get; init; }
    public AuditOutcome? Outcome { get; init; }
    public AuditSort Sort { get; init; } = AuditSort.Newest;
}

/// <summary>The orders the audit page offers; every one ends on time and id, so a page boundary is stable.</summary>
public enum AuditSort
{
    Newest,
    Oldest,
    User,
    Action,
    Outcome,
}

public sealed class AuditLogReader(HistoryDatabase database)
{
    /// <summary>One page of the entries that match, in the query's order (newest first unless asked otherwise).</summary>
    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!database.MayHoldData) return [];
        var sql = "SELECT id AS Id, at_ms AS AtMs, user_name AS User, address AS Address, action AS Action, target AS Target, outcome AS Outcome, before_json AS Before, after_json AS After, detail AS Detail FROM audit_log"
                  + Where(query) + OrderBy(query.Sort) + " LIMIT @Limit OFFSET @Offset";
        try
        {
            using var connection = database.Open(readOnly: true);
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, Parameters(query), cancellationToken: cancellationToken)).ConfigureAwait(false);
            return rows.Select(r => new AuditEntry(DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs), r.User, r.Address, r.Action, r.Target, AuditOutcomes.Parse(r.Outcome))
            {
                Id = r.Id, Before = r.Before, After = r.After, Detail = r.Detail,
            }).ToList();
        }
        catch (Exception e) when (database.Provider.IsMissingTable(e))
        {
            return []; // the writer has not created the table yet: nothing was audited.
        }
    }

    /// <summary>How many entries match the query's filters (its page and order aside), for the page count.</summary>
    public async Task<long> CountAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!database.MayHoldData) return 0;
        try
        {
            using var connection = database.Open(readOnly: true);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM audit_log" + Where(query), Parameters(query), cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (database.Provider.IsMissingTable(e))
        {
            return 0;
        }
    }

    private static string Where(AuditQuery query) =>
        " WHERE 1 = 1"
        + (string.IsNullOrWhiteSpace(query.User) ? "" : " AND lower(user_name) = lower(@User)")
        + (string.IsNullOrWhiteSpace(query.Action) ? "" : " AND action = @Action")
        + (query.Outcome is null ? "" : " AND outcome = @Outcome")
        + (query.From is null ? "" : " AND at_ms >= @From")
        + (query.To is null ? "" : " AND at_ms <= @To");

    private static string OrderBy(AuditSort sort) => sort switch
    {
        AuditSort.Oldest => " ORDER BY at_ms ASC, id ASC",
        AuditSort.User => " ORDER BY lower(user_name) ASC, at_ms DESC, id DESC",
        AuditSort.Action => " ORDER BY action ASC, at_ms DESC, id DESC",
        AuditSort.Outcome => " ORDER BY outcome ASC, at_ms DESC, id DESC",
        _ => " ORDER BY at_ms DESC, id DESC",
    };

    private static object Parameters(AuditQuery query) => new
    {
        User = query.User?.Trim(), Action = query.Action?.Trim(), Outcome = query.Outcome is { } outcome ? AuditOutcomes.Name(outcome) : null,
        From = query.From is { } from ? HistoryWrite.Ms(from) : 0, To = query.To is { } to ? HistoryWrite.Ms(to) : 0,
        Limit = Math.Clamp(query.Limit, 1, AuditQuery.MaxLimit), Offset = Math.Max(0, query.Offset),
    };

    /// <summary>The action names present, for the filter's choices.</summary>
    public async Task<IReadOnlyList<string>> ActionsAsync(CancellationToken cancellationToken = default)
    {
        if (!database.MayHoldData) return [];
        try
        {
            using var connection = database.Open(readOnly: true);
            return (await connection.QueryAsync<string>(new CommandDefinition("SELECT DISTINCT action FROM audit_log ORDER BY action", cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        }
        catch (Exception e) when (database.Provider.IsMissingTable(e))
        {
            return [];
        }
    }

#pragma warning disable CA1812 // created by Dapper
    private sealed class Row { public long Id { get; set; } public long AtMs { get; set; } public string User { get; set; } = ""; public string? Address { get; set; } public string Action { get; set; } = ""; public string? Target { get; set; } public string Outcome { get; set; } = ""; public string? Before { get; set; } public string? After { get; set; } public string? Detail { get; set; } }
#pragma warning restore CA1812
}
