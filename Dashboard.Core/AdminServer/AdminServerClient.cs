using System.Net.Http.Headers;
using System.Text.Json;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Core.AdminServer;

/// <summary>
/// Reads ZooKeeper AdminServer commands (<c>http://host:8080/commands/&lt;name&gt;</c>) with a timeout per call. The
/// 4lw whitelist does not apply here, which is why it is the fallback when 4lw commands are refused.
/// </summary>
public sealed class AdminServerClient(HttpClient http)
{
    /// <summary>Answers are small JSON documents; a larger one is not an AdminServer answer.</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    public Task<AdminCommandResult> GetAsync(Uri commandsBase, string command, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        GetAsync(commandsBase, command, timeout, null, cancellationToken);

    /// <summary>With <paramref name="tls"/>, an https AdminServer is checked against the cluster's CA bundle (its own HTTP client).</summary>
    public async Task<AdminCommandResult> GetAsync(Uri commandsBase, string command, TimeSpan timeout, ZooKeeperTls? tls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commandsBase);
        ArgumentException.ThrowIfNullOrEmpty(command);
        var uri = new Uri(commandsBase.ToString().TrimEnd('/') + "/" + Uri.EscapeDataString(command));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            var client = tls is not null && commandsBase.Scheme == Uri.UriSchemeHttps ? tls.AdminHttpClient : http;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength > MaxResponseBytes)
                throw new AdminServerException($"{uri} answered {response.Content.Headers.ContentLength} bytes, more than an AdminServer answer.");
            var bytes = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException e)
            {
                // 3.8 answers monitor with a Jetty HTML error page (HTTP 500, NullPointerException) while not serving.
                throw new AdminServerException($"{uri} answered HTTP {(int)response.StatusCode} without JSON{ErrorTitle(bytes)}.", e);
            }
            using (document)
            {
                var body = document.RootElement.Clone();
                string? error = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String
                    ? e.GetString()
                    : null;
                return new AdminCommandResult(command, body, error);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AdminServerException($"{uri} gave no answer within {timeout.TotalMilliseconds:0} ms.", isTimeout: true);
        }
        catch (HttpRequestException e)
        {
            var refusal = tls is not null && e.InnerException is System.Security.Authentication.AuthenticationException ? tls.LastAdminRefusal : null;
            throw new AdminServerException($"{uri} failed: {refusal ?? e.Message}", isTimeout: false, e);
        }
    }

    private static string ErrorTitle(byte[] bytes)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 2048));
        var start = text.IndexOf("<title>", StringComparison.OrdinalIgnoreCase);
        var end = text.IndexOf("</title>", StringComparison.OrdinalIgnoreCase);
        return start >= 0 && end > start ? $" ({System.Net.WebUtility.HtmlDecode(text[(start + 7)..end]).Trim()})" : "";
    }
}
