using System.Globalization;

namespace Dashboard.Core.Ensemble;

/// <summary>
/// Reads <c>server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]</c>, as written in
/// <c>zoo.cfg</c>, dynamic config files and the <c>conf</c> membership. Handles IPv6 in brackets, <c>|</c>-joined
/// addresses, and the missing <c>;client</c> part.
/// </summary>
public static class ServerLineParser
{
    public static bool IsServerLine(string line) =>
        line.TrimStart().StartsWith("server.", StringComparison.Ordinal) && line.Contains('=', StringComparison.Ordinal);

    /// <summary>Parses one line or says, in <paramref name="error"/>, what is wrong with it.</summary>
    public static bool TryParse(string line, out EnsembleMember? member, out string? error)
    {
        member = null;
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim();
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (!text.StartsWith("server.", StringComparison.Ordinal) || equals < 0)
            return Fail("expected server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]", out error);
        if (!int.TryParse(text.AsSpan(7, equals - 7), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 0)
            return Fail($"'{text[..equals]}' does not end in a server id (a whole number)", out error);

        var value = text[(equals + 1)..].Trim();
        string? clientPart = null;
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        if (semicolon >= 0)
        {
            clientPart = value[(semicolon + 1)..].Trim();
            value = value[..semicolon];
        }

        var hosts = new List<string>();
        int quorumPort = 0, electionPort = 0;
        var isObserver = false;
        foreach (var address in value.Split('|'))
        {
            var fields = SplitHostFields(address.Trim());
            if (fields.Count is < 3 or > 4)
                return Fail($"'{address}' needs host:quorumPort:electionPort (IPv6 hosts in [brackets])", out error);
            if (!TryPort(fields[1], out quorumPort) || !TryPort(fields[2], out electionPort))
                return Fail($"'{address}' has a port that is not a number between 1 and 65535", out error);
            if (fields.Count == 4)
            {
                switch (fields[3])
                {
                    case "participant": isObserver = false; break;
                    case "observer": isObserver = true; break;
                    default: return Fail($"'{fields[3]}' is neither participant nor observer", out error);
                }
            }
            if (fields[0].Length == 0) return Fail($"'{address}' has no host", out error);
            hosts.Add(fields[0]);
        }

        string? clientHost = null;
        int? clientPort = null;
        if (!string.IsNullOrEmpty(clientPart))
        {
            var fields = SplitHostFields(clientPart);
            var portText = fields[^1];
            if (fields.Count > 2 || !TryPort(portText, out var port))
                return Fail($"client part '{clientPart}' should be [clientHost:]clientPort", out error);
            clientPort = port;
            if (fields.Count == 2) clientHost = fields[0];
        }

        member = new EnsembleMember(id, hosts[0], quorumPort, electionPort, isObserver, clientHost, clientPort) { ExtraHosts = hosts.Skip(1).ToList() };
        error = null;
        return true;
    }

    /// <summary>Splits on ':' outside brackets and strips the brackets of an IPv6 host.</summary>
    internal static List<string> SplitHostFields(string address)
    {
        var fields = new List<string>();
        var start = 0;
        var depth = 0;
        for (var i = 0; i < address.Length; i++)
        {
            switch (address[i])
            {
                case '[': depth++; break;
                case ']': depth--; break;
                case ':' when depth == 0:
                    fields.Add(address[start..i]);
                    start = i + 1;
                    break;
            }
        }
        fields.Add(address[start..]);
        if (fields[0].StartsWith('[') && fields[0].EndsWith(']')) fields[0] = fields[0][1..^1];
        return fields;
    }

    internal static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
