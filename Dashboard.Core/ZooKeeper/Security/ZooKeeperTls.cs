using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dashboard.Core.ZooKeeper.Security;

/// <summary>
/// Loaded TLS material for one cluster: the CA bundle and the client certificate are read once (at start, so a bad
/// file is a start-up error naming the setting), then every connection (session, four-letter word, AdminServer)
/// checks the server's certificate against them and says which check failed.
/// </summary>
public sealed class ZooKeeperTls
{
    private readonly X509Certificate2Collection? _trusted;
    private readonly X509Certificate2? _clientCertificate;

    private ZooKeeperTls(ZooKeeperTlsOptions options, X509Certificate2Collection? trusted, X509Certificate2? clientCertificate)
    {
        Options = options;
        _trusted = trusted;
        _clientCertificate = clientCertificate;
    }

    public ZooKeeperTlsOptions Options { get; }

    /// <summary>True when a client certificate is configured (mutual TLS).</summary>
    public bool HasClientCertificate => _clientCertificate is not null;

    /// <summary>Reads the files <paramref name="options"/> names; errors name the setting as <paramref name="setting"/>:Key.</summary>
    public static ZooKeeperTls Load(ZooKeeperTlsOptions options, string setting = "Tls")
    {
        ArgumentNullException.ThrowIfNull(options);
        X509Certificate2Collection? trusted = null;
        if (!string.IsNullOrWhiteSpace(options.CaBundle))
        {
            RequireFile(options.CaBundle, $"{setting}:CaBundle");
            trusted = [];
            try
            {
                trusted.ImportFromPemFile(options.CaBundle);
            }
            catch (CryptographicException e)
            {
                throw new ZooKeeperSecurityConfigurationException($"{setting}:CaBundle '{options.CaBundle}' is not a PEM certificate bundle: {e.Message}", e);
            }
            if (trusted.Count == 0)
                throw new ZooKeeperSecurityConfigurationException($"{setting}:CaBundle '{options.CaBundle}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }

        X509Certificate2? client = null;
        var hasCert = !string.IsNullOrWhiteSpace(options.ClientCertificate);
        var hasKey = !string.IsNullOrWhiteSpace(options.ClientKey);
        if (hasCert != hasKey)
            throw new ZooKeeperSecurityConfigurationException($"{setting}:{(hasCert ? "ClientKey" : "ClientCertificate")} is missing: mutual TLS needs both ClientCertificate and ClientKey (PEM files).");
        if (hasCert)
        {
            RequireFile(options.ClientCertificate!, $"{setting}:ClientCertificate");
            RequireFile(options.ClientKey!, $"{setting}:ClientKey");
            try
            {
                client = X509Certificate2.CreateFromPemFile(options.ClientCertificate!, options.ClientKey);
            }
            catch (CryptographicException e)
            {
                throw new ZooKeeperSecurityConfigurationException($"{setting}:ClientCertificate/ClientKey could not be loaded (a PEM certificate and its unencrypted private key are needed): {e.Message}", e);
            }
            if (!client.HasPrivateKey)
                throw new ZooKeeperSecurityConfigurationException($"{setting}:ClientKey does not hold the private key of {setting}:ClientCertificate.");
        }
        if (options.ServerHostName is { } pinned && string.IsNullOrWhiteSpace(pinned))
            throw new ZooKeeperSecurityConfigurationException($"{setting}:ServerHostName is empty: give the name the servers' certificates carry, or leave it out.");
        return new ZooKeeperTls(options, trusted, client);
    }

    private static void RequireFile(string path, string setting)
    {
        if (!File.Exists(path)) throw new ZooKeeperSecurityConfigurationException($"{setting}: the file '{path}' does not exist.");
    }

    /// <summary>The name the server's certificate must carry when connecting to <paramref name="host"/>.</summary>
    public string ExpectedName(string host) => Options.ServerHostName?.Trim() ?? host;

    /// <summary>Runs the TLS handshake over <paramref name="inner"/>; a refusal is a <see cref="ZooKeeperTlsException"/> naming its cause.</summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner, string host, int port, CancellationToken cancellationToken)
    {
        string? refusal = null;
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = ClientOptions(ExpectedName(host), (_, certificate, chain, errors) =>
        {
            refusal = Check(certificate, chain, host, $"{host}:{port}");
            return refusal is null;
        });
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new ZooKeeperTlsException(refusal ?? HandshakeFailure(host, port, e), e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string HandshakeFailure(string host, int port, Exception e)
    {
        var detail = e.InnerException?.Message is { Length: > 0 } inner ? $"{e.Message} ({inner})" : e.Message;
        var hint = _clientCertificate is null
            ? " If the server requires client certificates (ssl.clientAuth=need), set ClientCertificate and ClientKey."
            : " Check that the server trusts the CA of the client certificate and accepts the TLS version.";
        return $"TLS handshake with {host}:{port} failed: {detail}.{hint}";
    }

    /// <summary>Client options for <see cref="SslStream"/>, also used by the AdminServer's HTTPS handler.</summary>
    public SslClientAuthenticationOptions ClientOptions(string targetHost, RemoteCertificateValidationCallback validation) => new()
    {
        TargetHost = targetHost,
        EnabledSslProtocols = Options.MinimumVersion == TlsMinimumVersion.Tls13 ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ClientCertificates = _clientCertificate is null ? null : [_clientCertificate],
        LocalCertificateSelectionCallback = _clientCertificate is null ? null : (_, _, _, _, _) => _clientCertificate,
        RemoteCertificateValidationCallback = validation,
    };

    /// <summary>Null when the server's certificate passes; otherwise why not, in words an operator can act on.</summary>
    public string? Check(X509Certificate? presented, X509Chain? presentedChain, string host, string where)
    {
        if (presented is null) return $"{where} sent no TLS certificate.";
        using var certificate = new X509Certificate2(presented);
        var who = $"The TLS certificate of {where} ({certificate.Subject}, issued by {certificate.Issuer})";
        var now = DateTime.Now;
        if (certificate.NotAfter < now) return $"{who} expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC.";
        if (certificate.NotBefore > now) return $"{who} is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC.";

        if (_trusted is not null)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
            if (presentedChain is not null)
                foreach (var element in presentedChain.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            if (!chain.Build(certificate))
            {
                var statuses = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList();
                if (statuses.Any(s => s is X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain))
                    return $"{who} is not signed by a CA in the CA bundle '{Options.CaBundle}' ({string.Join(", ", statuses)}).";
                if (statuses.Contains(X509ChainStatusFlags.NotTimeValid))
                    return $"{who} has an expired or not yet valid certificate in its chain.";
                return $"{who} failed the chain check against '{Options.CaBundle}': {string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}.";
            }
        }
        else
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presentedChain is not null)
                foreach (var element in presentedChain.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            if (!chain.Build(certificate))
                return $"{who} is not trusted by the system's CA store ({string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct())}); set CaBundle to the CA that signed it.";
        }

        if (Options.VerifyHostName)
        {
            var expected = ExpectedName(host);
            if (!certificate.MatchesHostname(expected, allowWildcards: true, allowCommonName: true))
            {
                var pin = Options.ServerHostName is null ? " (set ServerHostName to pin the name the certificates carry)" : " (the pinned ServerHostName)";
                return $"{who} is for {Names(certificate)}, not for '{expected}'{pin}.";
            }
        }
        return null;
    }

    /// <summary>
    /// An HTTP client for this cluster's AdminServers over HTTPS: the same CA bundle, client certificate and host
    /// name rule as the client port. One per cluster, made on first use and kept (it pools connections).
    /// </summary>
    public HttpClient AdminHttpClient => _adminHttp ??= CreateAdminHttpClient();
    private HttpClient? _adminHttp;

    private HttpClient CreateAdminHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = ClientOptions("", (sender, certificate, chain, _) =>
            {
                var host = (sender as SslStream)?.TargetHostName ?? "";
                var refusal = Check(certificate, chain, host, $"the AdminServer at {host}");
                LastAdminRefusal = refusal;
                return refusal is null;
            }),
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Why the last AdminServer certificate was refused; HttpClient's own error only says "rejected".</summary>
    public string? LastAdminRefusal { get; private set; }

    private static string Names(X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var names = san is null ? [] : san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())).ToList();
        return names.Count > 0 ? string.Join(", ", names) : certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }
}
