using Dashboard.Core.Ensemble;

namespace Dashboard.Core.Clusters;

/// <summary>
/// Turns what operators already have into the nodes to poll: a connect string, <c>zoo.cfg</c> / dynamic-config
/// <c>server.N=</c> lines, or the deployment variables <c>ZK_HOSTS</c> / <c>ZK_CLIENT_HOSTS</c>.
/// Errors name the line (1-based) and what to write instead.
/// </summary>
public static class EnsembleImport
{
    public const int DefaultClientPort = 2181;

    /// <summary><c>host[:port][,host[:port]...][/chroot]</c>; IPv6 hosts as <c>[addr]:port</c>.</summary>
    public static IReadOnlyList<NodeDefinition> FromConnectString(string connectString)
    {
        ArgumentNullException.ThrowIfNull(connectString);
        var hosts = connectString.Trim();
        var slash = hosts.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) hosts = hosts[..slash];
        var nodes = new List<NodeDefinition>();
        foreach (var part in hosts.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0) throw new EnsembleImportException(null, $"the connect string '{connectString}' has an empty host between commas.");
            nodes.Add(ParseHostPort(part, DefaultClientPort, null));
        }
        return nodes;
    }

    /// <summary>
    /// The <c>server.N=</c> lines of a <c>zoo.cfg</c> or dynamic config file; other settings are ignored except
    /// <c>clientPort</c>/<c>clientPortAddress</c>, which give the client address when a line has no <c>;client</c> part.
    /// </summary>
    public static IReadOnlyList<NodeDefinition> FromServerConfig(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        int? clientPort = null;
        foreach (var line in lines)
        {
            var t = line.Trim();
            if (t.StartsWith("clientPort=", StringComparison.Ordinal) && ServerLineParser.TryPort(t[11..].Trim(), out var p)) clientPort = p;
        }

        var nodes = new List<NodeDefinition>();
        var seen = new Dictionary<int, int>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#') || !line.StartsWith("server.", StringComparison.Ordinal)) continue;
            if (!ServerLineParser.TryParse(line, out var member, out var error))
                throw new EnsembleImportException(i + 1, $"{error}: '{line}'");
            if (seen.TryGetValue(member!.Id, out var first))
                throw new EnsembleImportException(i + 1, $"server.{member.Id} is already defined on line {first}.");
            seen[member.Id] = i + 1;
            var port = member.ClientPort ?? clientPort
                ?? throw new EnsembleImportException(i + 1, $"server.{member.Id} has no ';clientPort' part and the file has no clientPort= line: add ';2181' (or the real port) to the line.");
            nodes.Add(new NodeDefinition(member.ClientAddressHost, port) { Id = member.Id, IsObserver = member.IsObserver });
        }
        if (nodes.Count == 0) throw new EnsembleImportException(null, "no server.N= line found: paste the lines from zoo.cfg or the dynamic config file.");
        return nodes;
    }

    /// <summary>
    /// <c>ZK_HOSTS="10.0.0.1 10.0.0.2 10.0.1.7:observer"</c>: ids follow the order (the same on every node);
    /// hosts listed in <c>ZK_CLIENT_HOSTS</c> are labelled with <paramref name="clientDatacenter"/>, the rest "other".
    /// </summary>
    public static IReadOnlyList<NodeDefinition> FromZkHosts(string zkHosts, string? zkClientHosts = null, int clientPort = DefaultClientPort, string clientDatacenter = "local")
    {
        ArgumentNullException.ThrowIfNull(zkHosts);
        var entries = Unquote(zkHosts).Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0) throw new EnsembleImportException(null, "ZK_HOSTS is empty: list the hosts separated by spaces, observers with ':observer'.");
        var clientSet = zkClientHosts is null ? null
            : Unquote(zkClientHosts).Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries).Select(h => StripPort(h)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var nodes = new List<NodeDefinition>();
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            var observer = entry.EndsWith(":observer", StringComparison.OrdinalIgnoreCase);
            if (observer) entry = entry[..^":observer".Length];
            else if (entry.EndsWith(":participant", StringComparison.OrdinalIgnoreCase)) entry = entry[..^":participant".Length];
            var node = ParseHostPort(entry, clientPort, null);
            var dc = clientSet is null ? null : clientSet.Contains(node.Host) ? clientDatacenter : "other";
            nodes.Add(node with { Id = i + 1, IsObserver = observer, Datacenter = dc });
        }
        if (clientSet is not null)
        {
            var unknown = clientSet.Where(h => nodes.All(n => !string.Equals(n.Host, h, StringComparison.OrdinalIgnoreCase))).ToList();
            if (unknown.Count > 0) throw new EnsembleImportException(null, $"ZK_CLIENT_HOSTS names {string.Join(", ", unknown)}, which ZK_HOSTS does not list.");
        }
        return nodes;
    }

    /// <summary>A deployment file with <c>ZK_HOSTS=</c> and optional <c>ZK_CLIENT_HOSTS=</c> lines (shell syntax, <c>export</c> allowed).</summary>
    public static IReadOnlyList<NodeDefinition> FromDeploymentFile(string text, int clientPort = DefaultClientPort)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? hosts = null, clientHosts = null;
        var hostsLine = 0;
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            if (line.StartsWith("ZK_HOSTS=", StringComparison.Ordinal)) { hosts = line[9..]; hostsLine = i + 1; }
            else if (line.StartsWith("ZK_CLIENT_HOSTS=", StringComparison.Ordinal)) clientHosts = line[16..];
        }
        if (hosts is null) throw new EnsembleImportException(null, "no ZK_HOSTS= line found.");
        try
        {
            return FromZkHosts(hosts, clientHosts, clientPort);
        }
        catch (EnsembleImportException e) when (e.LineNumber is null)
        {
            throw new EnsembleImportException(hostsLine, e.Message);
        }
    }

    internal static NodeDefinition ParseHostPort(string text, int defaultPort, int? lineNumber)
    {
        var fields = ServerLineParser.SplitHostFields(text.Trim());
        var host = fields[0];
        // An unbracketed IPv6 address has several colons and no port we could tell apart.
        if (fields.Count > 2) throw new EnsembleImportException(lineNumber, $"'{text}' is ambiguous: write IPv6 addresses in brackets, e.g. [::1]:2181.");
        if (host.Length == 0) throw new EnsembleImportException(lineNumber, $"'{text}' has no host.");
        if (fields.Count == 1) return new NodeDefinition(host, defaultPort);
        if (!ServerLineParser.TryPort(fields[1], out var port))
            throw new EnsembleImportException(lineNumber, $"'{text}' has the port '{fields[1]}', which is not a number between 1 and 65535.");
        return new NodeDefinition(host, port);
    }

    private static string StripPort(string hostPort) => ServerLineParser.SplitHostFields(hostPort)[0];

    private static string Unquote(string value)
    {
        var v = value.Trim();
        return v.Length >= 2 && (v[0] == '"' || v[0] == '\'') && v[^1] == v[0] ? v[1..^1] : v;
    }
}
