using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dashboard.Core.ZooKeeper.Security;

/// <summary>A DIGEST-MD5 challenge or final message that does not follow RFC 2831, or a server that failed to prove itself.</summary>
public sealed class SaslProtocolException(string message) : Exception(message);

/// <summary>
/// The client side of SASL DIGEST-MD5 (RFC 2831), authentication only (qop=auth), as ZooKeeper's servers speak it:
/// the client opens with an empty token, answers the server's digest-challenge with a digest-response, and checks
/// the server's rspauth (so a server that does not know the password cannot pass for one that does).
/// </summary>
internal sealed class DigestMd5Client(string userName, string password, string service, string serverName)
{
    private string? _expectedRspAuth;

    public string DigestUri => $"{service}/{serverName}";

    public bool IsComplete { get; private set; }

    /// <summary>The digest-response to a digest-challenge.</summary>
    public byte[] Respond(ReadOnlySpan<byte> challengeBytes, string? cnonce = null)
    {
        var challenge = Parse(Encoding.UTF8.GetString(challengeBytes));
        if (!challenge.TryGetValue("nonce", out var nonces) || nonces.Count != 1)
            throw new SaslProtocolException("The server's DIGEST-MD5 challenge has no single nonce.");
        if (!challenge.TryGetValue("algorithm", out var algorithm) || !algorithm[0].Equals("md5-sess", StringComparison.OrdinalIgnoreCase))
            throw new SaslProtocolException("The server's DIGEST-MD5 challenge does not ask for algorithm=md5-sess.");
        var qops = challenge.TryGetValue("qop", out var q) ? q.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).ToList() : ["auth"];
        if (!qops.Contains("auth", StringComparer.OrdinalIgnoreCase))
            throw new SaslProtocolException($"The server offers DIGEST-MD5 only with qop {string.Join(", ", qops)}; this client authenticates with qop=auth.");
        var utf8 = challenge.TryGetValue("charset", out var charset) && charset[0].Equals("utf-8", StringComparison.OrdinalIgnoreCase);
        // The first realm offered is the server's own (ZooKeeper offers one: its server name).
        var realm = challenge.TryGetValue("realm", out var realms) ? realms[0] : "";
        var nonce = nonces[0];
        cnonce ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        const string nc = "00000001";

        var a1 = Concat(Md5(Encode($"{userName}:{realm}:{password}", utf8)), Encoding.ASCII.GetBytes($":{nonce}:{cnonce}"));
        var ha1 = Hex(Md5(a1));
        var response = Kd(ha1, $"{nonce}:{nc}:{cnonce}:auth:{Hex(Md5(Encoding.ASCII.GetBytes($"AUTHENTICATE:{DigestUri}")))}");
        _expectedRspAuth = Kd(ha1, $"{nonce}:{nc}:{cnonce}:auth:{Hex(Md5(Encoding.ASCII.GetBytes($":{DigestUri}")))}");

        var text = new StringBuilder();
        if (utf8) text.Append("charset=utf-8,");
        text.Append(CultureInfo.InvariantCulture, $"username={Quote(userName)},");
        if (realms is not null) text.Append(CultureInfo.InvariantCulture, $"realm={Quote(realm)},");
        text.Append(CultureInfo.InvariantCulture, $"nonce={Quote(nonce)},nc={nc},cnonce={Quote(cnonce)},digest-uri={Quote(DigestUri)},maxbuf=65536,response={response},qop=auth");
        return utf8 ? Encoding.UTF8.GetBytes(text.ToString()) : Encoding.Latin1.GetBytes(text.ToString());
    }

    /// <summary>Checks the server's final message (<c>rspauth=...</c>): it proves the server knew the password too.</summary>
    public void VerifyServerFinal(ReadOnlySpan<byte> final)
    {
        if (_expectedRspAuth is null) throw new SaslProtocolException("The server ended DIGEST-MD5 before the client answered its challenge.");
        var fields = Parse(Encoding.UTF8.GetString(final));
        if (!fields.TryGetValue("rspauth", out var rspauth))
            throw new SaslProtocolException("The server's last DIGEST-MD5 message has no rspauth.");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(rspauth[0].ToLowerInvariant()), Encoding.ASCII.GetBytes(_expectedRspAuth)))
            throw new SaslProtocolException("The server's DIGEST-MD5 rspauth is wrong: it does not know this user's password (not the expected server?).");
        IsComplete = true;
    }

    // RFC 2831 2.1.2.1: with charset=utf-8, strings representable in ISO 8859-1 are hashed in ISO 8859-1.
    private static byte[] Encode(string text, bool utf8) =>
        !utf8 || text.All(c => c <= '\u00ff') ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text);

    private static string Kd(string key, string data) => Hex(Md5(Encoding.ASCII.GetBytes($"{key}:{data}")));

#pragma warning disable CA5351 // DIGEST-MD5 is defined over MD5 (RFC 2831); it is the mechanism ZooKeeper's servers offer.
    private static byte[] Md5(byte[] data) => MD5.HashData(data);
#pragma warning restore CA5351

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Parses <c>key=value</c> pairs (values quoted with backslash escapes, or bare tokens), keeping repeats.</summary>
    internal static Dictionary<string, List<string>> Parse(string text)
    {
        var fields = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i]))) i++;
            if (i >= text.Length) break;
            var eq = text.IndexOf('=', i);
            if (eq < 0) throw new SaslProtocolException($"Malformed DIGEST-MD5 message near \"{Excerpt(text, i)}\".");
            var key = text[i..eq].Trim();
            i = eq + 1;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    value.Append(text[i++]);
                }
                if (i >= text.Length) throw new SaslProtocolException($"Unterminated quoted value for {key} in a DIGEST-MD5 message.");
                i++;
            }
            else
            {
                while (i < text.Length && text[i] != ',') value.Append(text[i++]);
            }
            if (!fields.TryGetValue(key, out var list)) fields[key] = list = [];
            list.Add(value.ToString().Trim());
        }
        return fields;
    }

    private static string Excerpt(string text, int at) => text.Substring(at, Math.Min(20, text.Length - at));
}
