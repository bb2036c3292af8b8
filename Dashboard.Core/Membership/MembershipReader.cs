using System.Collections.Immutable;
using System.Text;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.ZooKeeper;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Core.Membership;

/// <summary>
/// Reads a <see cref="MembershipView"/>: <c>/zookeeper/config</c> and its ACL over a session, a reconfig probe, and
/// <c>srvr</c> + <c>conf</c> from every member (and the server being added) at once, each under its own timeout.
/// </summary>
public static class MembershipReader
{
    /// <summary>A session to the cluster with its TLS, SASL and digest settings, for reading and for <c>reconfig</c>.</summary>
    /// <param name="connectString">Other servers than the cluster's connect string (e.g. without the ones a step changes).</param>
    public static async Task<ZooKeeperClient> OpenAsync(ClusterDefinition cluster, CancellationToken cancellationToken, string? connectString = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var timeout = cluster.NodeTimeout * 4;
        var client = await ZooKeeperClient.ConnectAsync(connectString ?? cluster.ConnectString,
            cluster.ClientOptions(new ZooKeeperClientOptions { ConnectTimeout = timeout, RequestTimeout = TimeSpan.FromSeconds(30) }), cancellationToken).ConfigureAwait(false);
        try
        {
            if (DigestUser(cluster) is { } user)
            {
                var password = cluster.Digest![(user.Length + 1)..];
                await client.AddDigestAuthAsync(user, password, cancellationToken).ConfigureAwait(false);
            }
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static string? DigestUser(ClusterDefinition cluster) =>
        cluster?.Digest is { } digest && digest.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? digest[..colon] : null;

    public static async Task<MembershipView> ReadAsync(ClusterDefinition cluster, ZooKeeperClient client, MembershipChange? change, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        await client.SyncAsync(ConfigNode, cancellationToken).ConfigureAwait(false);
        var config = await client.GetConfigAsync(null, cancellationToken).ConfigureAwait(false);
        var (members, version) = ConfigMembershipReader.Parse(Encoding.UTF8.GetString(config.Data));
        var acl = await client.GetAclAsync(ConfigNode, cancellationToken).ConfigureAwait(false);
        var (availability, detail) = await ProbeReconfigAsync(client, cancellationToken).ConfigureAwait(false);

        var targets = members.Select(m => Target(cluster, m)).ToList();
        if (change is { IsAdd: true, Host: { } host, ClientPort: { } port } && members.All(m => m.Id != change.ServerId))
            targets.Add((new ServerState(change.ServerId, host, port) { Datacenter = change.Datacenter }, null));
        var states = await Task.WhenAll(targets.Select(t => ProbeAsync(t.State, t.Tls, cluster.NodeTimeout, cancellationToken))).ConfigureAwait(false);

        var leader = states.FirstOrDefault(s => s.Mode == ServerMode.Leader && s.IsMember);
        long? synced = null;
        if (leader is not null)
        {
            try
            {
                var mntr = MntrResponse.Parse(await FourLetterWordClient.SendAsync(leader.Host, leader.ClientPort, "mntr", cluster.NodeTimeout,
                    Tls(cluster, leader.Id), cancellationToken).ConfigureAwait(false));
                synced = mntr.SyncedFollowers;
            }
            catch (FourLetterWordException) { }
        }
        return new MembershipView(cluster.Id, members, version ?? 0, [.. states], time.GetUtcNow())
        {
            LeaderId = leader?.Id, SyncedFollowers = synced, Reconfig = availability, ReconfigDetail = detail,
            ConfigAcl = [.. acl.Acl], AuthenticatedAs = DigestUser(cluster),
        };
    }

    public const string ConfigNode = "/zookeeper/config";

    /// <summary>
    /// A reconfig from version -2, which no configuration has: the server answers BadVersion when reconfig is on,
    /// ReconfigDisabled when it is off, Unimplemented when standalone. It changes nothing either way: the version is
    /// checked before the change is even parsed, and the change itself (server 0 leaving) names no server (ids are positive).
    /// </summary>
    private static async Task<(ReconfigAvailability, string?)> ProbeReconfigAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.ReconfigAsync(null, "0", fromConfigVersion: -2, cancellationToken).ConfigureAwait(false);
            return (ReconfigAvailability.Unknown, "the probe reconfig from version -2 was accepted, which no server should do");
        }
        catch (BadVersionException) { return (ReconfigAvailability.Enabled, null); }
        catch (UnimplementedException) { return (ReconfigAvailability.Standalone, "the server runs standalone (Unimplemented)"); }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.ReconfigDisabled) { return (ReconfigAvailability.Disabled, "the servers answer ReconfigDisabled"); }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.ReconfigInProgress) { return (ReconfigAvailability.InProgress, "another reconfiguration is being committed"); }
        catch (ZooKeeperException e) { return (ReconfigAvailability.Unknown, e.Message); }
    }

    private static (ServerState State, ZooKeeperTls? Tls) Target(ClusterDefinition cluster, EnsembleMember member)
    {
        // A TLS cluster's settings name the secure port of each node; the config's ;client part is the plain one.
        var configured = cluster.Nodes.FirstOrDefault(n => n.Id == member.Id);
        var useSettings = configured is not null && (cluster.Tls is not null || member.ClientPort is null);
        var port = useSettings ? configured!.ClientPort : member.ClientPort ?? 2181;
        var host = useSettings ? configured!.Host : member.ClientAddressHost;
        return (new ServerState(member.Id, host, port) { IsMember = true, IsVoter = member.IsVoter, Datacenter = configured?.Datacenter },
            useSettings ? cluster.Tls : null);
    }

    private static ZooKeeperTls? Tls(ClusterDefinition cluster, int id) =>
        cluster.Tls is not null && cluster.Nodes.Any(n => n.Id == id) ? cluster.Tls : null;

    private static async Task<ServerState> ProbeAsync(ServerState server, ZooKeeperTls? tls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var srvr = SrvrResponse.Parse(await FourLetterWordClient.SendAsync(server.Host, server.ClientPort, "srvr", timeout, tls, cancellationToken).ConfigureAwait(false));
            server = server with
            {
                Serving = srvr.IsServing, Mode = srvr.IsServing ? srvr.Mode : null, Zxid = srvr.Zxid is { } z ? new Zxid(z) : null,
                Error = srvr.IsServing ? null : "not serving (no quorum, or still syncing)",
            };
            if (!srvr.IsServing) return server;
            var conf = ConfResponse.Parse(await FourLetterWordClient.SendAsync(server.Host, server.ClientPort, "conf", timeout, tls, cancellationToken).ConfigureAwait(false));
            return server with { ConfigVersion = conf.ConfigVersion };
        }
        catch (FourLetterWordException e)
        {
            return server with { Serving = false, Mode = null, Error = e.Message.TrimEnd('.') };
        }
    }
}
