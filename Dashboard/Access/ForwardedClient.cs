using System.Net;

namespace Dashboard.Access;

/// <summary>The client a trusted reverse proxy forwarded a request for, and the proxy's own address.</summary>
internal sealed record ForwardedClient(IPAddress Client, IPAddress Proxy);

/// <summary>
/// Behind a trusted proxy (<c>Auth:Proxy:TrustedAddresses</c>) the client's address and scheme come from the
/// proxy's <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>: the sign-in rate limit keys on the real client,
/// the audit log names it, and cookies are <c>Secure</c> when the client used HTTPS. The connection's own address
/// stays the proxy's (the proxy's user header is believed only from it). From any other address both headers are
/// ignored, so a client cannot choose its own rate-limit bucket.
/// </summary>
internal static class ForwardedClients
{
    private const int MaxHeaderLength = 2_000;

    /// <summary>The real client's address: the forwarded one behind a trusted proxy, else the connection's.</summary>
    public static IPAddress? ClientAddress(HttpContext http) =>
        http.Features.Get<ForwardedClient>()?.Client ?? Unmapped(http.Connection.RemoteIpAddress);

    public static Task ApplyAsync(HttpContext http, RequestDelegate next, AccessMode mode)
    {
        var remote = http.Connection.RemoteIpAddress;
        if (mode.Settings.Proxy.IsEnabled && mode.IsTrustedProxy(remote))
        {
            if (ClientFrom(http.Request.Headers["X-Forwarded-For"].ToString(), mode) is { } client)
                http.Features.Set(new ForwardedClient(client, Unmapped(remote)!));
            // The proxy nearest to us appended the last value.
            var proto = http.Request.Headers["X-Forwarded-Proto"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (string.Equals(proto, "https", StringComparison.OrdinalIgnoreCase)) http.Request.Scheme = "https";
            else if (string.Equals(proto, "http", StringComparison.OrdinalIgnoreCase)) http.Request.Scheme = "http";
        }
        return next(http);
    }

    /// <summary>The rightmost address that is not itself a trusted proxy: entries to its left were written by the client and prove nothing.</summary>
    internal static IPAddress? ClientFrom(string header, AccessMode mode)
    {
        if (header.Length is 0 or > MaxHeaderLength) return null;
        foreach (var entry in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Reverse())
        {
            if (!IPAddress.TryParse(StripPort(entry), out var address)) return null; // malformed: believe nothing further left
            address = Unmapped(address)!;
            if (!mode.IsTrustedProxy(address)) return address;
        }
        return null;
    }

    private static string StripPort(string entry) =>
        entry.StartsWith('[') && entry.IndexOf(']', StringComparison.Ordinal) is > 0 and var close ? entry[1..close]
        : entry.Count(c => c == ':') == 1 ? entry[..entry.IndexOf(':', StringComparison.Ordinal)] : entry;

    private static IPAddress? Unmapped(IPAddress? address) => address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4() : address;
}
