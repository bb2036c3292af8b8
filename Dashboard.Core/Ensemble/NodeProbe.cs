using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using Dashboard.Core.AdminServer;
using Dashboard.Core.Clusters;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.ZooKeeper.Security;

namespace Dashboard.Core.Ensemble;

/// <summary>
/// Asks one node how it is, within one deadline. Four-letter words first (<c>srvr</c>, <c>mntr</c>, <c>conf</c> at
/// once); the AdminServer fills in what the 4lw whitelist refuses or when 4lw is unreachable. Never throws for a
/// node's failure: it comes back as <see cref="NodeStatus.Error"/>.
/// </summary>
public sealed class NodeProbe(AdminServerClient? admin)
{
    /// <param name="askConf">False skips <c>conf</c> (membership changes rarely; the caller reuses what it knows).</param>
    /// <param name="tls">The cluster's TLS: 4lw and AdminServer (https) go over it.</param>
    public async Task<NodeStatus> ProbeAsync(NodeDefinition node, TimeSpan timeout, CancellationToken cancellationToken = default, bool askConf = true, ZooKeeperTls? tls = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var clock = Stopwatch.StartNew();
        var status = new NodeStatus(node.Host, node.ClientPort, NodeRole.Unknown) { Id = node.Id, Datacenter = node.Datacenter };
        try
        {
            status = await ProbeCoreAsync(node, status, timeout, clock, askConf, tls, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is FourLetterWordException or AdminServerException or OperationCanceledException)
        {
            // Anything else is a bug and should surface; these are the node's own failures.
            var timedOut = e is FourLetterWordException { IsTimeout: true } or AdminServerException { IsTimeout: true } or OperationCanceledException;
            status = status with { Role = NodeRole.Down, TimedOut = timedOut, Error = timedOut ? $"no answer within {timeout.TotalMilliseconds:0} ms" : e.Message.TrimEnd('.') };
        }
        return Finish(status with { ResponseTime = clock.Elapsed }, node);
    }

    private async Task<NodeStatus> ProbeCoreAsync(NodeDefinition node, NodeStatus status, TimeSpan timeout, Stopwatch clock, bool askConf, ZooKeeperTls? tls, CancellationToken cancellationToken)
    {
        TimeSpan Remaining() => timeout - clock.Elapsed is var r && r > TimeSpan.Zero ? r : TimeSpan.FromMilliseconds(1);

        var srvrTask = Send(node, "srvr", timeout, tls, cancellationToken);
        var mntrTask = Send(node, "mntr", timeout, tls, cancellationToken);
        var confTask = askConf ? Send(node, "conf", timeout, tls, cancellationToken) : Task.FromResult("");
        await Task.WhenAll(Quiet(srvrTask), Quiet(mntrTask), Quiet(confTask)).ConfigureAwait(false);

        if (srvrTask.IsFaulted && srvrTask.Exception!.InnerException is FourLetterWordException fourLetterFailure)
        {
            // 4lw unreachable: the AdminServer may still answer (it listens on its own port).
            if (node.AdminUri is null || admin is null) throw fourLetterFailure;
            try
            {
                return await FromAdminAsync(node, status, Remaining(), tls, cancellationToken, fourLetterFailure.Message).ConfigureAwait(false);
            }
            catch (AdminServerException adminFailure)
            {
                // Both ways failed: the 4lw reason is the error (it is the client port); the AdminServer's is a note.
                return status with
                {
                    Role = NodeRole.Down,
                    TimedOut = fourLetterFailure.IsTimeout,
                    Error = fourLetterFailure.IsTimeout ? $"no answer within {timeout.TotalMilliseconds:0} ms" : fourLetterFailure.Message.TrimEnd('.'),
                    Notes = status.Notes.Add($"AdminServer: {adminFailure.Message}"),
                };
            }
        }

        var srvr = SrvrResponse.Parse(await srvrTask.ConfigureAwait(false));
        var mntr = mntrTask.IsCompletedSuccessfully ? MntrResponse.Parse(mntrTask.Result) : null;
        var conf = askConf && confTask.IsCompletedSuccessfully ? ConfResponse.Parse(confTask.Result) : null;
        var refused = ImmutableArray.CreateBuilder<string>();
        if (srvr.WhitelistRefused) refused.Add("srvr");
        if (mntr?.WhitelistRefused == true) refused.Add("mntr");
        if (conf?.WhitelistRefused == true) refused.Add("conf");

        status = status with { Source = ProbeSource.FourLetterWords, RefusedCommands = refused.ToImmutable() };
        if (FourLetterWordText.IsNotServing(srvrTask.Result))
            status = status with { Role = NodeRole.NotServing, Error = "not currently serving requests (election in progress, or out of quorum)" };
        else if (srvr.IsServing)
            status = ApplySrvr(status, srvr);
        if (mntr is { IsServing: true }) status = ApplyMntr(status, mntr);
        if (conf is { IsServing: true }) status = ApplyConf(status, conf);

        var missing = srvr.WhitelistRefused || mntr is not { IsServing: true } && mntr?.WhitelistRefused == true;
        if (missing && node.AdminUri is not null && admin is not null && status.Role != NodeRole.NotServing)
        {
            try
            {
                status = await FromAdminAsync(node, status, Remaining(), tls, cancellationToken, null).ConfigureAwait(false) with { Source = ProbeSource.Both };
            }
            catch (AdminServerException e)
            {
                status = status with { Notes = status.Notes.Add($"AdminServer: {e.Message}") };
            }
        }
        if (status.Role == NodeRole.Unknown && refused.Count > 0)
            status = status with { Error = $"{string.Join(", ", refused)} refused by 4lw.commands.whitelist and no AdminServer to ask instead" };
        return status;
    }

    private async Task<NodeStatus> FromAdminAsync(NodeDefinition node, NodeStatus status, TimeSpan timeout, ZooKeeperTls? tls, CancellationToken cancellationToken, string? fourLetterError)
    {
        var monitorTask = admin!.GetAsync(node.AdminUri!, "monitor", timeout, tls, cancellationToken);
        var zabTask = admin.GetAsync(node.AdminUri!, "zabstate", timeout, tls, cancellationToken);
        await Task.WhenAll(Quiet(monitorTask), Quiet(zabTask)).ConfigureAwait(false);
        if (zabTask.IsFaulted && monitorTask.IsFaulted) throw zabTask.Exception!.InnerException!;

        status = status with { Source = ProbeSource.AdminServer };
        if (fourLetterError is not null) status = status with { Notes = status.Notes.Add($"4lw: {fourLetterError}") };
        if (zabTask.IsCompletedSuccessfully && zabTask.Result is { IsOk: true, Body: var zab })
        {
            if (zab.TryGetProperty("myid", out var myid) && myid.TryGetInt32(out var id)) status = status with { Id = id };
            if (zab.TryGetProperty("last_zxid", out var z) && z.ValueKind == JsonValueKind.String && Zxid.TryParse(z.GetString()) is { } zxid)
                status = status with { Zxid = zxid };
        }
        if (monitorTask.IsCompletedSuccessfully && monitorTask.Result is { } monitor)
        {
            if (monitor.IsOk) status = ApplyMntr(status, MntrResponse.FromAdminMonitor(monitor.Body));
            else if (monitor.IsNotServing) status = status with { Role = NodeRole.NotServing, Error = "not currently serving requests" };
            else status = status with { Notes = status.Notes.Add($"AdminServer monitor: {monitor.Error}") };
        }
        else if (monitorTask.IsFaulted && status.Role == NodeRole.Unknown)
        {
            // 3.8 answers monitor with an HTML error page while not serving; zabstate still answered, so the process is up.
            status = status with { Role = NodeRole.NotServing, Error = "not serving (AdminServer monitor failed: " + monitorTask.Exception!.InnerException!.Message + ")" };
        }
        return status;
    }

    private static NodeStatus ApplySrvr(NodeStatus s, SrvrResponse srvr) => s with
    {
        Role = srvr.ReadOnly ? NodeRole.ReadOnly : RoleOf(srvr.Mode),
        Version = srvr.Version,
        Zxid = srvr.Zxid is { } z ? new Zxid(z) : s.Zxid,
        LatencyMinMs = srvr.LatencyMin,
        LatencyAvgMs = srvr.LatencyAvg,
        LatencyMaxMs = srvr.LatencyMax,
        Outstanding = srvr.Outstanding,
        Connections = srvr.Connections,
        ZnodeCount = srvr.NodeCount,
    };

    private static NodeStatus ApplyMntr(NodeStatus s, MntrResponse m) => s with
    {
        Role = s.Role == NodeRole.Unknown && m.ServerState is { } state ? RoleOf(SrvrResponse.ParseMode(state)) : s.Role,
        Version = s.Version ?? m.Version,
        LatencyMinMs = s.LatencyMinMs ?? m.LatencyMin,
        LatencyAvgMs = s.LatencyAvgMs ?? m.LatencyAvg,
        LatencyMaxMs = s.LatencyMaxMs ?? m.LatencyMax,
        Outstanding = s.Outstanding ?? m.OutstandingRequests,
        Connections = s.Connections ?? m.Connections,
        ZnodeCount = s.ZnodeCount ?? m.ZnodeCount,
        WatchCount = m.WatchCount,
        Ephemerals = m.EphemeralsCount,
        DataSizeBytes = m.ApproximateDataSize,
        OpenFileDescriptors = m.OpenFileDescriptors,
        MaxFileDescriptors = m.MaxFileDescriptors,
        Uptime = m.Uptime,
        Learners = m.Learners,
        SyncedFollowers = m.SyncedFollowers,
        SyncedObservers = m.SyncedObservers,
        PendingSyncs = m.PendingSyncs,
    };

    private static NodeStatus ApplyConf(NodeStatus s, ConfResponse c) => s with
    {
        Id = c.ServerId ?? s.Id,
        IsVoter = c.IsObserver is { } observer ? !observer : s.IsVoter,
        Membership = c.Members,
        ConfigVersion = c.ConfigVersion,
    };

    /// <summary>Fills what the answers left open from the settings and the role.</summary>
    private static NodeStatus Finish(NodeStatus s, NodeDefinition node)
    {
        var id = s.Id ?? node.Id ?? s.Membership.FirstOrDefault(m => m.ClientPort == node.ClientPort && m.ClientAddressHost == node.Host)?.Id;
        var voter = s.IsVoter
                    ?? (id is { } i && s.Membership.FirstOrDefault(m => m.Id == i) is { } me ? me.IsVoter : (bool?)null)
                    ?? (node.IsObserver is { } o ? !o : (bool?)null)
                    ?? s.Role switch
                    {
                        NodeRole.Observer => false,
                        NodeRole.Leader or NodeRole.Follower or NodeRole.Standalone => true,
                        _ => (bool?)null,
                    };
        return s with { Id = id, IsVoter = voter };
    }

    private static NodeRole RoleOf(ServerMode mode) => mode switch
    {
        ServerMode.Leader => NodeRole.Leader,
        ServerMode.Follower => NodeRole.Follower,
        ServerMode.Observer => NodeRole.Observer,
        ServerMode.Standalone => NodeRole.Standalone,
        ServerMode.ReadOnly => NodeRole.ReadOnly,
        _ => NodeRole.Unknown,
    };

    private static Task<string> Send(NodeDefinition node, string word, TimeSpan timeout, ZooKeeperTls? tls, CancellationToken cancellationToken) =>
        FourLetterWordClient.SendAsync(node.Host, node.ClientPort, word, timeout, tls, cancellationToken);

    // Awaiting every task without throwing, so one failed command never hides the others' answers.
    private static async Task Quiet(Task task)
    {
        try { await task.ConfigureAwait(false); }
        catch (Exception e) when (e is FourLetterWordException or AdminServerException) { }
    }
}
