using System.Net;
using System.Net.Sockets;
using Dashboard.Core.ZooKeeper.Security;
using Dashboard.Core.ZooKeeper.Wire;

namespace Dashboard.Core.ZooKeeper.Session;

internal sealed partial class SessionConnection
{
    private const int MaxKerberosRounds = 6;

    /// <summary>
    /// SASL GSSAPI in the handshake, as ZooKeeper's Java client does it: the first <c>sasl</c> request carries the
    /// initial Kerberos token, each reply's token is answered until the context is established, then the
    /// security-layer offer is answered and the server's last reply (no token) ends it. GSSAPI calls may talk to the
    /// KDC and block, so they run off the connection's async path. Anything the library refuses (no library, no
    /// KDC, a keytab without the principal's key, an unknown server principal) is a
    /// <see cref="SaslAuthenticationException"/>: the same settings would fail the same way on every reconnect.
    /// </summary>
    private async Task AuthenticateKerberosAsync(Stream stream, FrameReader reader, JuteWriter writer, ZooKeeperHost host, SaslCredentials sasl, CancellationToken cancellation)
    {
        var serverHost = sasl.ServerHostName ?? await CanonicalHostNameAsync(host.Host, cancellation).ConfigureAwait(false);
        KerberosClient kerberos;
        byte[] token;
        try
        {
            (kerberos, token) = await Task.Run(() =>
            {
                var client = KerberosClient.Start(sasl, serverHost);
                try { return (client, client.InitialResponse()); }
                catch { client.Dispose(); throw; }
            }, cancellation).ConfigureAwait(false);
        }
        catch (GssapiException e)
        {
            throw new SaslAuthenticationException($"{sasl} for {sasl.Service}/{serverHost} via {host} failed: {e.Message}{Hint(e.Message)}", e);
        }
        catch (ZooKeeperSecurityConfigurationException e)
        {
            throw new SaslAuthenticationException($"{sasl}: {e.Message}", e);
        }
        using (kerberos)
        {
            for (var round = 0; round < MaxKerberosRounds; round++)
            {
                var (error, serverToken) = await SaslRoundAsync(stream, reader, writer, token, cancellation).ConfigureAwait(false);
                if (error != 0) throw new SaslAuthenticationException(Refused(sasl, host, (ErrorCode)error));
                if (kerberos.IsComplete) return;
                try
                {
                    token = await Task.Run(() => kerberos.Respond(serverToken ?? []), cancellation).ConfigureAwait(false);
                }
                catch (Exception e) when (e is GssapiException or SaslProtocolException)
                {
                    throw new SaslAuthenticationException($"{sasl} with {host} ({sasl.Service}/{serverHost}) failed: {e.Message}", e);
                }
            }
        }
        throw new SaslAuthenticationException($"{sasl} with {host} did not complete within {MaxKerberosRounds} rounds.");
    }

    /// <summary>The host name DNS gives for the connect string's host (127.0.0.1 becomes localhost), as the Java client's default canonicalization does.</summary>
    private static async Task<string> CanonicalHostNameAsync(string host, CancellationToken cancellation)
    {
        try
        {
            var entry = await Dns.GetHostEntryAsync(host, cancellation).ConfigureAwait(false);
            return string.IsNullOrEmpty(entry.HostName) ? host : entry.HostName.ToLowerInvariant();
        }
        catch (SocketException)
        {
            return host;
        }
    }

    private static string Hint(string gssMessage) => gssMessage switch
    {
        _ when gssMessage.Contains("Cannot contact any KDC", StringComparison.OrdinalIgnoreCase) => " (is the KDC in krb5.conf's [realms] running and reachable?)",
        _ when gssMessage.Contains("not found in Kerberos database", StringComparison.OrdinalIgnoreCase) => " (the KDC does not know that principal: check Sasl:Principal, or Sasl:ServerHostName for the servers' zookeeper/HOST principal)",
        _ when gssMessage.Contains("Preauthentication failed", StringComparison.OrdinalIgnoreCase) || gssMessage.Contains("Integrity check", StringComparison.OrdinalIgnoreCase)
            || gssMessage.Contains("Password incorrect", StringComparison.OrdinalIgnoreCase) => " (the keytab's key is not the principal's current key: export a new keytab)",
        // With an empty in-memory cache, "no credentials cache" means the keytab could not give this principal a ticket.
        _ when gssMessage.Contains("no suitable keys", StringComparison.OrdinalIgnoreCase) || gssMessage.Contains("Key table", StringComparison.OrdinalIgnoreCase)
            || gssMessage.Contains("No credentials cache found", StringComparison.OrdinalIgnoreCase) => " (the keytab has no key for this principal, or cannot be read: check Sasl:Keytab and Sasl:Principal)",
        _ => "",
    };
}
