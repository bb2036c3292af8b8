using System.Collections.Immutable;
using Dashboard.Core.Clusters;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Core.Sandbox;

/// <summary>A running sandbox as a cluster to watch: every member with its id, observer flag and AdminServer URL (spares are not members yet).</summary>
public static class SandboxCluster
{
    /// <param name="sasl">Credentials of one of the sandbox's SASL users, for a sandbox started with them.</param>
    public static ClusterDefinition Define(ZooKeeperSandbox sandbox, string id = "sandbox", string name = "Sandbox", TimeSpan? pollInterval = null, SaslCredentials? sasl = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        // A TLS sandbox is watched over its secure ports, as a production ensemble with TLS would be.
        var tls = sandbox.Tls is { } files
            ? ZooKeeperTls.Load(new ZooKeeperTlsOptions { CaBundle = files.CaCertificate, ClientCertificate = files.ClientCertificate, ClientKey = files.ClientKey }, "Sandbox:Tls")
            : null;
        return new ClusterDefinition(id, name, tls is null ? sandbox.ConnectString : sandbox.SecureConnectString, ClusterOrigin.Sandbox)
        {
            Tls = tls,
            Sasl = sasl,
            Nodes = sandbox.Members.Select(n => new NodeDefinition(n.Host, tls is null ? n.ClientPort : n.SecureClientPort)
            {
                Id = n.Id, IsObserver = n.IsObserver, AdminUri = n.AdminUri, Datacenter = "loopback",
            }).ToImmutableArray(),
            PollInterval = pollInterval ?? ClusterDefinition.DefaultPollInterval,
        };
    }
}
