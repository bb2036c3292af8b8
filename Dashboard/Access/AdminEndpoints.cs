using System.Data.Common;
using System.Globalization;
using Dashboard.Core.Access;
using Microsoft.AspNetCore.WebUtilities;

namespace Dashboard.Access;

/// <summary>
/// Admin answers that are not pages: the audit log as CSV. It stays a plain GET (a download, not a circuit message).
/// When it cannot be produced, a link from the page (<c>back=page</c>) is sent back to the page with the reason's
/// code, which the page turns into a sentence (a code, not text, so a crafted link cannot put words on the page);
/// a script gets the sentence with an error status.
/// </summary>
internal static class AdminEndpoints
{
    public const string AuditCsvPath = "/admin/audit.csv";
    public const string AuditPagePath = "/admin/audit";

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(AuditCsvPath, ExportAuditAsync).RequireAuthorization(AccessPolicies.Admin);
        return endpoints;
    }

    private static async Task<IResult> ExportAuditAsync(HttpContext http, AuditLogReader reader, RequestAudit audit,
        string? user, string? action, string? outcome, string? from, string? to, string? back)
    {
        var filter = new AuditFilter(user, action, outcome, from, to);
        var query = filter.ToQuery() with { Limit = AuditQuery.MaxLimit };
        var problem = filter.Problem;
        long matching = 0;
        IReadOnlyList<AuditEntry> entries = [];
        if (problem is null)
        {
            try
            {
                matching = await reader.CountAsync(query, http.RequestAborted).ConfigureAwait(false);
                if (matching > AuditQuery.MaxLimit) problem = AuditExportProblem.TooMany;
                else entries = await reader.QueryAsync(query, http.RequestAborted).ConfigureAwait(false);
            }
            catch (DbException)
            {
                problem = AuditExportProblem.Unreadable;
            }
        }
        if (problem is { } refused)
        {
            var why = AuditFilter.Explain(refused, matching);
            audit.Record(http, "audit-exported", AuditCsvPath, AuditOutcome.Failed, detail: why);
            if (back == "page") return Results.Redirect(QueryHelpers.AddQueryString(filter.PageHref(), "exportError", AuditFilter.Code(refused)));
            return Results.Text(why, "text/plain", statusCode: refused == AuditExportProblem.Unreadable ? 503 : 400);
        }
        audit.Record(http, "audit-exported", AuditCsvPath, AuditOutcome.Succeeded, detail: $"{entries.Count} entries");
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body);
        await AuditCsv.WriteAsync(entries, writer).ConfigureAwait(false);
        return Results.Empty;
    }
}

/// <summary>Why an audit export was not produced.</summary>
internal enum AuditExportProblem
{
    BadTime,
    BadOutcome,
    TooMany,
    Unreadable,
}

/// <summary>
/// The audit page's filters as they travel in the query string (times in UTC, as <c>yyyy-MM-ddTHH:mm</c>), shared
/// by the page and the CSV export so both read the same rows.
/// </summary>
internal sealed record AuditFilter(string? User, string? Action, string? Outcome, string? From, string? To)
{
    public const string TimeFormat = "yyyy-MM-ddTHH:mm";

    /// <summary>A filter the page or export cannot apply as given, or null.</summary>
    public AuditExportProblem? Problem =>
        (Given(From) && ParseTime(From) is null) || (Given(To) && ParseTime(To) is null) ? AuditExportProblem.BadTime
        : Given(Outcome) && ParseOutcome(Outcome) is null ? AuditExportProblem.BadOutcome
        : null;

    public AuditQuery ToQuery() =>
        new(Bound(User), Bound(Action), ParseTime(From), ParseTime(To) is { } end ? end.AddSeconds(59.999) : null) { Outcome = ParseOutcome(Outcome) };

    /// <summary>The page with these filters (the export's way back).</summary>
    public string PageHref() => QueryHelpers.AddQueryString(AdminEndpoints.AuditPagePath,
        new[] { ("user", User), ("action", Action), ("outcome", Outcome), ("from", From), ("to", To) }
            .Where(p => Given(p.Item2)).Select(p => KeyValuePair.Create(p.Item1, p.Item2)));

    /// <summary>The export of these filters, sent back to the page when it fails.</summary>
    public string CsvHref() => QueryHelpers.AddQueryString(AdminEndpoints.AuditCsvPath,
        new[] { ("user", User), ("action", Action), ("outcome", Outcome), ("from", From), ("to", To), ("back", "page") }
            .Where(p => Given(p.Item2)).Select(p => KeyValuePair.Create(p.Item1, p.Item2)));

    public static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParseExact(text, [TimeFormat, "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    public static AuditOutcome? ParseOutcome(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "succeeded" => AuditOutcome.Succeeded,
        "failed" => AuditOutcome.Failed,
        "denied" => AuditOutcome.Denied,
        _ => null,
    };

    public static string Code(AuditExportProblem problem) => problem switch
    {
        AuditExportProblem.BadTime => "bad-time",
        AuditExportProblem.BadOutcome => "bad-outcome",
        AuditExportProblem.TooMany => "too-many",
        _ => "unreadable",
    };

    public static AuditExportProblem? FromCode(string? code) => code switch
    {
        "bad-time" => AuditExportProblem.BadTime,
        "bad-outcome" => AuditExportProblem.BadOutcome,
        "too-many" => AuditExportProblem.TooMany,
        "unreadable" => AuditExportProblem.Unreadable,
        _ => null,
    };

    /// <summary>The sentence a person reads when the export (or a filter) fails.</summary>
    public static string Explain(AuditExportProblem problem, long matching = 0) => problem switch
    {
        AuditExportProblem.BadTime => $"The export was not made: a time filter is not a UTC time written as {TimeFormat} (for example 2026-12-01T21:00).",
        AuditExportProblem.BadOutcome => "The export was not made: the outcome filter must be succeeded, failed or denied.",
        AuditExportProblem.TooMany => $"The export was not made: {(matching > 0 ? matching.ToString("N0", CultureInfo.InvariantCulture) : "more than " + AuditQuery.MaxLimit.ToString("N0", CultureInfo.InvariantCulture))} entries match and one export holds at most {AuditQuery.MaxLimit.ToString("N0", CultureInfo.InvariantCulture)}: narrow the time range or the user, and export each part.",
        _ => "The export was not made: the history database could not be read just now. Try again in a moment.",
    };

    private static bool Given(string? text) => !string.IsNullOrWhiteSpace(text);

    private static string? Bound(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim()[..Math.Min(text.Trim().Length, 200)];
}
