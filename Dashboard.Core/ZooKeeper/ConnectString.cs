using System.Globalization;

namespace Dashboard.Core.ZooKeeper;

/// <summary>One server of an ensemble as written in a connect string.</summary>
public sealed record ZooKeeperHost(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>
/// A connect string as operators write it: <c>host1:2181,host2:2181,[::1]:2181/chroot</c>. The port defaults to
/// 2181; IPv6 hosts need brackets; the chroot (everything from the first '/') applies to every path.
/// </summary>
public sealed record ConnectString(IReadOnlyList<ZooKeeperHost> Hosts, string? Chroot)
{
    public const int DefaultPort = 2181;

    public static ConnectString Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        string? chroot = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var hostPart = slash < 0 ? text : text[..slash];
        if (slash >= 0)
        {
            chroot = text[slash..];
            ZooKeeperPath.Validate(chroot);
            if (chroot == "/") chroot = null;
        }

        var hosts = new List<ZooKeeperHost>();
        foreach (var raw in hostPart.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            hosts.Add(ParseHost(raw, text));
        if (hosts.Count == 0) throw new FormatException($"The connect string \"{text}\" names no host.");
        return new ConnectString(hosts, chroot);
    }

    private static ZooKeeperHost ParseHost(string raw, string whole)
    {
        string host;
        string? port = null;
        if (raw.StartsWith('['))
        {
            var close = raw.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new FormatException($"\"{raw}\" in \"{whole}\" opens '[' without closing it.");
            host = raw[1..close];
            var rest = raw[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':') throw new FormatException($"\"{raw}\" in \"{whole}\" has text after ']' that is not a port.");
                port = rest[1..];
            }
        }
        else
        {
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && raw.IndexOf(':', colon + 1) >= 0)
                throw new FormatException($"\"{raw}\" in \"{whole}\" looks like an IPv6 address: write it in brackets, e.g. [{raw}]:2181.");
            host = colon < 0 ? raw : raw[..colon];
            if (colon >= 0) port = raw[(colon + 1)..];
        }
        if (host.Length == 0) throw new FormatException($"\"{raw}\" in \"{whole}\" has no host name.");
        var number = DefaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
            throw new FormatException($"\"{raw}\" in \"{whole}\" has an invalid port \"{port}\".");
        return new ZooKeeperHost(host, number);
    }

    public override string ToString() => string.Join(',', Hosts) + (Chroot ?? "");
}
