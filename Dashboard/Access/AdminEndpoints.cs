using System.Globalization;
using Dashboard.Core.Access;

namespace Dashboard.Access;

/// <summary>Admin answers that are not pages: the audit log as CSV.</summary>
internal static class AdminEndpoints
{
    public const string AuditCsvPath = "/admin/audit.csv";

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(AuditCsvPath, ExportAuditAsync).RequireAuthorization(AccessPolicies.Admin);
        return endpoints;
    }

    private static async Task ExportAuditAsync(HttpContext http, AuditLogReader reader, RequestAudit audit,
        string? user, string? action, string? from, string? to)
    {
        var query = AuditFilter.ToQuery(user, action, from, to) with { Limit = AuditQuery.MaxLimit };
        var entries = await reader.QueryAsync(query, http.RequestAborted).ConfigureAwait(false);
        audit.Record(http, "audit-exported", AuditCsvPath, AuditOutcome.Succeeded, detail: $"{entries.Count} entries");
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body);
        await AuditCsv.WriteAsync(entries, writer).ConfigureAwait(false);
    }
}

/// <summary>The audit page's filters as they travel in the query string (times in UTC, as <c>yyyy-MM-ddTHH:mm</c>).</summary>
internal static class AuditFilter
{
    public const string TimeFormat = "yyyy-MM-ddTHH:mm";

    public static AuditQuery ToQuery(string? user, string? action, string? from, string? to) =>
        new(Bound(user), Bound(action), ParseTime(from), ParseTime(to) is { } end ? end.AddSeconds(59.999) : null);

    public static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParseExact(text, [TimeFormat, "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    private static string? Bound(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim()[..Math.Min(text.Trim().Length, 200)];
}
