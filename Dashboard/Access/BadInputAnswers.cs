using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dashboard.Access;

/// <summary>
/// A malformed number, flag or JSON body is the client's mistake: it gets a 400 with a one-line reason, not a 500,
/// not a developer page, and no stack trace in the log. Covers every endpoint and page at once: minimal-API
/// binding (<see cref="BadHttpRequestException"/>), JSON bodies read by hand (<see cref="JsonException"/>) and
/// query parameters bound to page properties (Blazor's "Cannot parse the value ...").
/// </summary>
internal static partial class BadInputAnswers
{
    public static async Task HandleAsync(HttpContext http, RequestDelegate next)
    {
        string? reason;
        int status = StatusCodes.Status400BadRequest;
        try
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            status = e.StatusCode;
            reason = Binding().Match(e.Message) is { Success: true } bind
                ? $"'{bind.Groups["name"].Value}' must be {Kind(bind.Groups["type"].Value)} (got '{Clip(bind.Groups["value"].Value)}')"
                : e.Message;
        }
        catch (JsonException e) when (!http.Response.HasStarted)
        {
            reason = $"the body is not the JSON this request takes ({Clip(e.Message)})";
        }
        catch (InvalidOperationException e) when (!http.Response.HasStarted && QueryParse().Match(e.Message) is { Success: true } match)
        {
            reason = $"'{match.Groups["name"].Value}' must be {Kind(match.Groups["type"].Value)} (got '{Clip(match.Groups["value"].Value)}')";
        }
        http.Response.Clear();
        http.Response.StatusCode = status;
        var api = http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);
        if (api) await http.Response.WriteAsJsonAsync(new { error = reason }, http.RequestAborted).ConfigureAwait(false);
        else
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync($"Bad request: {reason}.", http.RequestAborted).ConfigureAwait(false);
        }
    }

    private static string Kind(string type) => type switch
    {
        _ when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) || type.Contains("int", StringComparison.Ordinal) => "a whole number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) || type.Contains("bool", StringComparison.Ordinal) => "true or false",
        _ => "a valid value",
    };

    private static string Clip(string text) => text.Length > 200 ? text[..200] + "..." : text;

    [GeneratedRegex("^Failed to bind parameter \"(?<type>.*) (?<name>[^ \"]+)\" from \"(?<value>.*)\"\\.?$", RegexOptions.Singleline)]
    private static partial Regex Binding();

    [GeneratedRegex("^Cannot parse the value '(?<value>.*)' as type '(?<type>[^']*)' for '(?<name>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex QueryParse();
}
