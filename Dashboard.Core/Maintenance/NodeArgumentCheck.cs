using System.Globalization;
using System.Net;
using System.Text;
using Dashboard.Core.Clusters;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Judges every value that a node control puts into a command line or a container name before anything runs. The
/// values come from the settings and, worse, from ZooKeeper data anyone may be able to write (a broker's
/// registration under <c>/brokers/ids/N</c>, the members of <c>/zookeeper/config</c>): running without a shell
/// does not stop <c>-oProxyCommand=...</c> being read as an option, so each value must be what it claims to be.
/// A host is a host name or an IP literal, a port a number from 1 to 65535, an id a number of 0 or more; nothing
/// may start with '-'. A refused value is named with its node in the plan, and the control refuses it again when
/// it would run (the registration can change between the plan and the step).
/// </summary>
public static class NodeArgumentCheck
{
    public const string Rule = "node-values";

    /// <summary>Longest DNS name (RFC 1035); longer values are not hosts.</summary>
    private const int MaxHostLength = 253;

    /// <summary>The reason the control must not act on this node, or null when every value it uses is sound.</summary>
    public static string? Problem(INodeControl control, NodeAction action, NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(node);
        return control switch
        {
            CommandNodeControl command => ForTemplates(command.Templates(action), node),
            DockerNodeControl docker => ForContainer(docker.ContainerTemplate, node),
            // A person reads the host and acts on it: a value posing as an option is refused for them too.
            ManualNodeControl => HostProblem(node.Host) is { } host ? Describe("host", node.Host, host) : null,
            _ => null, // sandbox controls act on their own processes and take nothing from the node's values
        };
    }

    /// <summary>The check for a plan: passed, or refused naming the node and the offending value.</summary>
    public static MaintenanceCheck PlanCheck(string subject, INodeControl control, IEnumerable<NodeAction> actions, NodeDefinition node) =>
        actions.Select(a => Problem(control, a, node)).FirstOrDefault(p => p is not null) is { } problem
            ? new(Rule, subject, false, $"{subject}: {problem}", "correct the value where it comes from (the settings, or the broker's or server's own configuration); nothing is run with it")
            : new(Rule, subject, true, "every value the control uses is a valid host, port or id");

    /// <summary>Placeholders used by the command's arguments; only those values are judged.</summary>
    public static string? ForTemplates(IEnumerable<IReadOnlyList<string>> commands, NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(node);
        var arguments = commands.SelectMany(c => c).ToList();
        if (Uses(arguments, "{host}") && HostProblem(node.Host) is { } host) return Describe("host", node.Host, host);
        if (Uses(arguments, "{port}") && PortProblem(node.ClientPort) is { } port) return Describe("port", node.ClientPort.ToString(CultureInfo.InvariantCulture), port);
        if (Uses(arguments, "{id}") && IdProblem(node.Id) is { } id) return Describe("id", node.Id?.ToString(CultureInfo.InvariantCulture) ?? "(none)", id);
        // An argument that a value begins (e.g. "{host}" alone) must not turn into an option after filling.
        foreach (var argument in arguments.Where(a => a.StartsWith('{')))
            if (NodePlaceholders.Fill(argument, node) is { } filled && filled.StartsWith('-'))
                return Describe("argument", filled, "it starts with '-', so the program would read it as an option");
        return null;
    }

    /// <summary>A Docker container name: <c>[a-zA-Z0-9][a-zA-Z0-9_.-]*</c>, as the engine itself requires.</summary>
    public static string? ForContainer(string? template, NodeDefinition node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var name = NodePlaceholders.Fill(template ?? "", node);
        if ((template ?? "").Contains("{host}", StringComparison.Ordinal) && HostProblem(node.Host) is { } host) return Describe("host", node.Host, host);
        if ((template ?? "").Contains("{id}", StringComparison.Ordinal) && IdProblem(node.Id) is { } id) return Describe("id", node.Id?.ToString(CultureInfo.InvariantCulture) ?? "(none)", id);
        var valid = name.Length is > 0 and <= 128 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        return valid ? null : Describe("container name", name, "a container name is letters, digits, '_', '.' and '-', starting with a letter or digit");
    }

    /// <summary>Null for a host name (RFC 1123 labels, '_' allowed inside) or an IP literal; else why not.</summary>
    public static string? HostProblem(string? host)
    {
        if (string.IsNullOrEmpty(host)) return "it is empty";
        if (host[0] == '-') return "it starts with '-', so a command would read it as an option";
        if (host.Length > MaxHostLength) return $"it is longer than {MaxHostLength} characters";
        if (host.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))) return "it holds spaces or control characters";
        if (IsIpLiteral(host)) return null;
        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > 63) return "it is neither an IP address nor a host name (an empty or over-long label)";
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return "it is neither an IP address nor a host name (only letters, digits, '-', '_' and '.' make a host name)";
            if (label[0] == '-' || label[^1] == '-') return "a label of a host name cannot begin or end with '-'";
        }
        return null;
    }

    public static string? PortProblem(int port) => port is > 0 and <= 65535 ? null : "a port is a number from 1 to 65535";

    public static string? IdProblem(int? id) => id switch
    {
        null => "the node has no id",
        < 0 => "an id is a number of 0 or more",
        _ => null,
    };

    /// <summary>Digits, hex, '.', ':' only (and a parse): "1.2.3.4", "::1"; never a name the resolver would look up.</summary>
    private static bool IsIpLiteral(string text) =>
        text.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':') && IPAddress.TryParse(text, out var address)
        && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3);

    private static bool Uses(List<string> arguments, string placeholder) => arguments.Any(a => a.Contains(placeholder, StringComparison.Ordinal));

    private static string Describe(string what, string value, string why) =>
        $"the {what} '{Printable(value)}' is refused ({why}); nothing is run with it";

    /// <summary>The refusal as a control reports it when asked to act: which node, then why.</summary>
    public static string Refusal(NodeDefinition node, string problem)
    {
        ArgumentNullException.ThrowIfNull(node);
        return (node.Id is { } id ? $"node {id.ToString(CultureInfo.InvariantCulture)}" : "the node") + ": " + problem;
    }

    /// <summary>Control characters shown as escapes, and a long value cut, so the reason itself stays readable.</summary>
    internal static string Printable(string value)
    {
        var text = new StringBuilder();
        foreach (var c in value.Length > 200 ? value[..200] + "..." : value)
            text.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        return text.ToString();
    }

    /// <summary>The exact argument list, each argument in double quotes (backslash escapes), as it will run.</summary>
    public static string ArgumentList(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var text = new StringBuilder("[");
        foreach (var argument in arguments)
        {
            if (text.Length > 1) text.Append(", ");
            text.Append('"');
            foreach (var c in argument)
                text.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                    _ => c.ToString(),
                });
            text.Append('"');
        }
        return text.Append(']').ToString();
    }
}
