using System.Text;

namespace Dashboard.Core.Clusters;

public enum ClusterOrigin { Settings, Sandbox }

/// <summary>A cluster the dashboard watches, validated from settings or created by the sandbox.</summary>
public sealed record ClusterDefinition(string Id, string Name, string ConnectString, ClusterOrigin Origin)
{
    public static ClusterDefinition FromOptions(ClusterOptions options, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        var where = $"Dashboard:Clusters:{index}";
        if (string.IsNullOrWhiteSpace(options.Name))
            throw new ClusterConfigurationException($"{where} has no Name.");
        if (string.IsNullOrWhiteSpace(options.ConnectString))
            throw new ClusterConfigurationException($"{where} ('{options.Name}') has no ConnectString: give it as host:port[,host:port...][/chroot].");
        var id = string.IsNullOrWhiteSpace(options.Id) ? Slug(options.Name) : options.Id.Trim();
        if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ClusterConfigurationException($"{where} has the id '{id}': use letters, digits, '-' and '_' only.");
        return new ClusterDefinition(id, options.Name.Trim(), options.ConnectString.Trim(), ClusterOrigin.Settings);
    }

    public static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
        }
        return slug.ToString().Trim('-');
    }
}
