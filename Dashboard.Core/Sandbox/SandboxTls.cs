using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dashboard.Core.Sandbox;

/// <summary>How a sandbox runs TLS on its secure client ports; the plain client ports stay open beside them.</summary>
public sealed record SandboxTlsOptions
{
    /// <summary><c>ssl.clientAuth=need</c>: a client without a certificate signed by the sandbox CA is refused.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>The names the servers' certificate carries (subjectAltName); an IP address becomes an IP entry.</summary>
    public IReadOnlyList<string> ServerNames { get; init; } = ["localhost", "127.0.0.1"];

    /// <summary>Give the servers a certificate that expired (valid 2020-01-01 to 2020-02-01), to test refusals.</summary>
    public bool ExpiredServerCertificate { get; init; }
}

/// <summary>
/// The files a TLS sandbox made at start with openssl and the JDK's keytool: a fresh CA, the servers' PKCS12
/// keystore, their truststore (the CA, for client certificates), and a client certificate with its key in PEM.
/// </summary>
public sealed class SandboxTlsFiles
{
    internal const string StorePassword = "sandbox-store";

    private SandboxTlsFiles(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }
    public string CaCertificate => Path.Combine(Directory, "ca.pem");
    internal string CaKey => Path.Combine(Directory, "ca.key");
    public string ServerCertificate => Path.Combine(Directory, "server.pem");
    public string ServerKeyStore => Path.Combine(Directory, "server.p12");
    public string TrustStore => Path.Combine(Directory, "truststore.p12");
    public string ClientCertificate => Path.Combine(Directory, "client.pem");
    public string ClientKey => Path.Combine(Directory, "client.key");

    internal static SandboxTlsFiles Create(string directory, SandboxTlsOptions options, string javaPath)
    {
        System.IO.Directory.CreateDirectory(directory);
        var files = new SandboxTlsFiles(directory);
        File.WriteAllText(Path.Combine(directory, "index.txt"), "");
        File.WriteAllText(Path.Combine(directory, "serial"), "1000\n");
        var server = options.ServerNames.Count > 0 ? options.ServerNames : ["localhost"];
        File.WriteAllText(Path.Combine(directory, "openssl.cnf"), Config(directory, server));

        OpenSsl(directory, "req", "-x509", "-config", "openssl.cnf", "-extensions", "ca_ext", "-newkey", "rsa:2048", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Dashboard sandbox CA");
        Issue(directory, "server", $"/CN={server[0]}", "server_ext", options.ExpiredServerCertificate);
        Issue(directory, "client", "/CN=dashboard-client", "client_ext", expired: false);
        OpenSsl(directory, "pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-certfile", "ca.pem",
            "-name", "server", "-out", "server.p12", "-passout", $"pass:{StorePassword}");
        var keytool = Path.Combine(Path.GetDirectoryName(javaPath) ?? "", "keytool");
        Run(directory, File.Exists(keytool) ? keytool : "keytool", "-importcert", "-noprompt", "-alias", "sandbox-ca", "-file", "ca.pem",
            "-keystore", "truststore.p12", "-storetype", "PKCS12", "-storepass", StorePassword);
        return files;
    }

    private static void Issue(string directory, string name, string subject, string extensions, bool expired)
    {
        OpenSsl(directory, "req", "-new", "-config", "openssl.cnf", "-newkey", "rsa:2048", "-nodes",
            "-keyout", $"{name}.key", "-out", $"{name}.csr", "-subj", subject);
        // openssl ca (not x509) because only it takes explicit dates, which an expired certificate needs.
        var dates = expired ? new[] { "-startdate", "20200101000000Z", "-enddate", "20200201000000Z" } : ["-days", "30"];
        OpenSsl(directory, ["ca", "-batch", "-notext", "-config", "openssl.cnf", "-extensions", extensions, "-in", $"{name}.csr", "-out", $"{name}.pem", .. dates]);
    }

    private static string Config(string directory, IReadOnlyList<string> serverNames)
    {
        var san = string.Join(',', serverNames.Select(n => System.Net.IPAddress.TryParse(n, out _) ? $"IP:{n}" : $"DNS:{n}"));
        var text = new StringBuilder();
        text.AppendLine("[req]").AppendLine("distinguished_name = dn").AppendLine("prompt = no").AppendLine("[dn]").AppendLine("CN = unused");
        text.AppendLine("[ca]").AppendLine("default_ca = sandbox");
        text.AppendLine("[sandbox]")
            .AppendLine(CultureInfo.InvariantCulture, $"dir = {directory}")
            .AppendLine("database = $dir/index.txt").AppendLine("serial = $dir/serial").AppendLine("new_certs_dir = $dir")
            .AppendLine("certificate = $dir/ca.pem").AppendLine("private_key = $dir/ca.key")
            .AppendLine("default_md = sha256").AppendLine("policy = anything").AppendLine("unique_subject = no").AppendLine("email_in_dn = no");
        text.AppendLine("[anything]").AppendLine("commonName = supplied");
        text.AppendLine("[ca_ext]").AppendLine("basicConstraints = critical,CA:TRUE").AppendLine("keyUsage = critical,keyCertSign,cRLSign")
            .AppendLine("subjectKeyIdentifier = hash");
        text.AppendLine("[server_ext]").AppendLine("basicConstraints = CA:FALSE").AppendLine("keyUsage = critical,digitalSignature,keyEncipherment")
            .AppendLine("extendedKeyUsage = serverAuth,clientAuth").AppendLine(CultureInfo.InvariantCulture, $"subjectAltName = {san}")
            .AppendLine("authorityKeyIdentifier = keyid");
        text.AppendLine("[client_ext]").AppendLine("basicConstraints = CA:FALSE").AppendLine("keyUsage = critical,digitalSignature,keyEncipherment")
            .AppendLine("extendedKeyUsage = clientAuth").AppendLine("authorityKeyIdentifier = keyid");
        return text.ToString();
    }

    private static void OpenSsl(string directory, params string[] arguments) => Run(directory, "openssl", arguments);

    private static void Run(string directory, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new SandboxException($"Could not run {program} to make the sandbox's TLS files.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new SandboxException($"{program} {arguments[0]} did not finish within 60 s while making the sandbox's TLS files.");
        }
        if (process.ExitCode != 0)
            throw new SandboxException($"{program} {string.Join(' ', arguments.Take(2))} failed (exit {process.ExitCode}) making the sandbox's TLS files: {error.Trim()} {output.Result.Trim()}");
    }
}
