namespace Dashboard.Core.Clusters;

/// <summary>Settings that describe a cluster badly; the message names the setting and what to write instead.</summary>
public sealed class ClusterConfigurationException : Exception
{
    public ClusterConfigurationException() { }
    public ClusterConfigurationException(string message) : base(message) { }
    public ClusterConfigurationException(string message, Exception inner) : base(message, inner) { }
}
