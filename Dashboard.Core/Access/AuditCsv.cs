using System.Globalization;

namespace Dashboard.Core.Access;

/// <summary>The audit log as CSV (RFC 4180), safe to open in a spreadsheet.</summary>
public static class AuditCsv
{
    public static async Task WriteAsync(IEnumerable<AuditEntry> entries, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(output);
        await output.WriteAsync("time_utc,user,address,action,target,outcome,before,after,detail\r\n").ConfigureAwait(false);
        foreach (var e in entries)
        {
            string[] fields = [e.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), e.User, e.Address ?? "", e.Action,
                e.Target ?? "", AuditOutcomes.Name(e.Outcome), e.Before ?? "", e.After ?? "", e.Detail ?? ""];
            await output.WriteAsync(string.Join(',', fields.Select(Field)) + "\r\n").ConfigureAwait(false);
        }
    }

    private static string Field(string value)
    {
        // A cell starting with = + - @ is run as a formula by spreadsheets; a leading quote keeps it text.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
