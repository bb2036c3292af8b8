using Dashboard.Core.ZooKeeper.Security;
using Dashboard.Core.ZooKeeper.Wire;

namespace Dashboard.Core.ZooKeeper.Session;

internal sealed partial class SessionConnection
{
    private const int MaxSaslRounds = 4;

    /// <summary>
    /// SASL right after the connect response and before anything else on the connection (re-armed auth, watches,
    /// queued requests), on every connection, as ZooKeeper's Java client does: <c>sasl</c> (102) requests carrying a
    /// token, answered with normal reply headers and a token. A refusal is a <see cref="SaslAuthenticationException"/>.
    /// </summary>
    private async Task AuthenticateSaslAsync(Stream stream, FrameReader reader, JuteWriter writer, ZooKeeperHost host, SaslCredentials sasl, CancellationToken cancellation)
    {
        if (sasl.Mechanism == SaslMechanism.Gssapi)
        {
            await AuthenticateKerberosAsync(stream, reader, writer, host, sasl, cancellation).ConfigureAwait(false);
            return;
        }
        var digest = new DigestMd5Client(sasl.UserName, sasl.Password, sasl.Service, SaslCredentials.DigestServerName);
        var token = Array.Empty<byte>(); // DIGEST-MD5 has no initial response: the client opens with an empty token.
        for (var round = 0; round < MaxSaslRounds; round++)
        {
            var (error, serverToken) = await SaslRoundAsync(stream, reader, writer, token, cancellation).ConfigureAwait(false);
            if (error != 0)
                throw new SaslAuthenticationException(Refused(sasl, host, (ErrorCode)error));
            try
            {
                if (round == 0)
                {
                    if (serverToken is not { Length: > 0 })
                        throw new SaslAuthenticationException($"{host} answered SASL without a DIGEST-MD5 challenge: the server has no SASL set up (a JAAS Server section with DigestLoginModule and authProvider SASLAuthenticationProvider).");
                    token = digest.Respond(serverToken);
                    continue;
                }
                digest.VerifyServerFinal(serverToken ?? []);
                return;
            }
            catch (SaslProtocolException e)
            {
                throw new SaslAuthenticationException($"{sasl} with {host} failed: {e.Message}", e);
            }
        }
        throw new SaslAuthenticationException($"{sasl} with {host} did not complete within {MaxSaslRounds} rounds.");
    }

    /// <summary>One <c>sasl</c> request with a token, and the server's reply: its error code and its token.</summary>
    private async Task<(int Error, byte[]? Token)> SaslRoundAsync(Stream stream, FrameReader reader, JuteWriter writer, byte[] token, CancellationToken cancellation)
    {
        writer.BeginFrame();
        Records.WriteRequestHeader(writer, NextXid(), OpCode.Sasl);
        writer.WriteBuffer(token);
        writer.EndFrame();
        await stream.WriteAsync(writer.Written, cancellation).ConfigureAwait(false);
        writer.Reset();
        var frame = await reader.ReadFrameAsync(Records.ReplyHeaderSize, cancellation).ConfigureAwait(false);
        return ReadSaslReply(frame.Span);
    }

    private static (int Error, byte[]? Token) ReadSaslReply(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        reader.ReadInt(); // xid: the reply to the one SASL request outstanding
        reader.ReadLong();
        var error = reader.ReadInt();
        return (error, error == 0 && reader.Remaining >= 4 ? reader.ReadBuffer() : null);
    }

    private static string Refused(SaslCredentials sasl, ZooKeeperHost host, ErrorCode error) => error switch
    {
        ErrorCode.AuthFailed when sasl.Mechanism == SaslMechanism.Gssapi => $"{sasl} was refused by {host}: the server could not accept this principal's Kerberos ticket (check the servers' JAAS Krb5LoginModule, their service keytab and krb5.conf).",
        ErrorCode.AuthFailed => $"{sasl} was refused by {host}: wrong user name or password (check the cluster's Sasl:UserName and Sasl:Password against the servers' JAAS file).",
        ErrorCode.SessionClosedRequireSaslAuth => $"{sasl} was refused by {host}, which requires SASL authentication and did not accept these credentials.",
        _ => $"{sasl} was refused by {host} with error {error}.",
    };
}
