using System.Buffers.Binary;
using System.Text;

namespace Dashboard.Core.ZooKeeper.Security;

/// <summary>
/// The client side of SASL GSSAPI (RFC 4752) over the system's GSSAPI library: Kerberos context tokens until the
/// context is established (mutual authentication, so the server proves it holds the service key), then the
/// security-layer step: the server offers layers and a buffer size in a wrapped 4-byte message, and the client
/// answers, wrapped, with layer 1 (none: ZooKeeper's traffic after SASL is not wrapped) and the authorization id.
/// One instance per authentication; it owns native handles, so it is disposed after the exchange.
/// </summary>
internal sealed class KerberosClient : IDisposable
{
    private const byte NoSecurityLayer = 1;
    private nint _credential;
    private nint _target;
    private nint _context;
    private bool _established;

    private KerberosClient(string principal) => Principal = principal;

    public string Principal { get; }

    /// <summary>The answer to the server's security-layer offer has been made; the server's reply ends the exchange.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Credentials for the principal (from its keytab when the cache has no valid ticket) and the server's name.</summary>
    public static KerberosClient Start(SaslCredentials sasl, string serverHost)
    {
        if (Gssapi.Unavailable is { } missing) throw new GssapiException(missing);
        if (sasl.Krb5Config is { } config) Krb5Configuration.Use(config);
        var keytab = Path.GetFullPath(sasl.Keytab!);
        if (!File.Exists(keytab)) throw new GssapiException($"the keytab '{keytab}' does not exist");
        var client = new KerberosClient(sasl.UserName);
        nint principal = 0;
        try
        {
            principal = Gssapi.ImportPrincipal(sasl.UserName);
            client._credential = Gssapi.AcquireCredentials(principal, "FILE:" + keytab, CacheName(sasl));
            client._target = Gssapi.ImportHostService(sasl.Service, serverHost);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
        finally
        {
            Gssapi.ReleaseName(ref principal);
        }
    }

    /// <summary>The first context token (GSSAPI has an initial response, unlike DIGEST-MD5).</summary>
    public byte[] InitialResponse() => Step([]);

    /// <summary>The next token to send for the server's <paramref name="challenge"/>.</summary>
    public byte[] Respond(ReadOnlySpan<byte> challenge)
    {
        if (!_established)
        {
            if (challenge.IsEmpty)
                throw new SaslProtocolException("the server sent no Kerberos token back: it has no Kerberos login (a JAAS Server section with Krb5LoginModule and the service keytab).");
            return Step(challenge);
        }
        var offer = Gssapi.Unwrap(_context, challenge);
        if (offer.Length != 4) throw new SaslProtocolException($"the server's security-layer offer is {offer.Length} bytes, not 4.");
        if ((offer[0] & NoSecurityLayer) == 0)
            throw new SaslProtocolException($"the server requires a SASL security layer (offered 0x{offer[0]:x2}); this client authenticates without one, as ZooKeeper's own clients do.");
        // Layer "none" with a zero buffer size (nothing will be wrapped), then the authorization id: the principal itself.
        var authzid = Encoding.UTF8.GetBytes(Principal);
        var answer = new byte[4 + authzid.Length];
        BinaryPrimitives.WriteUInt32BigEndian(answer, (uint)NoSecurityLayer << 24);
        authzid.CopyTo(answer, 4);
        IsComplete = true;
        return Gssapi.Wrap(_context, answer, encrypt: false);
    }

    private byte[] Step(ReadOnlySpan<byte> input)
    {
        _established = Gssapi.InitSecContext(_credential, ref _context, _target, Gssapi.MutualFlag | Gssapi.IntegrityFlag, input, out var output);
        return output;
    }

    /// <summary>
    /// One in-memory credential cache per principal and keytab: tickets are reused across reconnects and sessions,
    /// never written to disk, and two clusters with different principals never share one.
    /// </summary>
    private static string CacheName(SaslCredentials sasl)
    {
        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{sasl.UserName}\n{Path.GetFullPath(sasl.Keytab!)}")))[..16];
        return $"MEMORY:zk-dashboard-{key}";
    }

    public void Dispose()
    {
        if (Gssapi.Unavailable is not null) return;
        Gssapi.DeleteContext(ref _context);
        Gssapi.ReleaseName(ref _target);
        Gssapi.ReleaseCredentials(ref _credential);
    }
}
