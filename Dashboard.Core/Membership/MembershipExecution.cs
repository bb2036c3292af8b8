using System.Diagnostics;
using System.Text;
using Dashboard.Core.Access;
using Dashboard.Core.Clusters;
using Dashboard.Core.Maintenance;
using Dashboard.Core.ZooKeeper;

namespace Dashboard.Core.Membership;

/// <summary>
/// Drives one membership run: for each step, a fresh read and the step's checks, the step saved as started with the
/// version it names, the incremental reconfig from that version, then a wait until every member of the new
/// configuration reports its version and its voters hold a quorum with a leader. Refusals by the servers end the
/// run with what to change (BadVersion: someone changed the membership; NoAuth: the ACL; ReconfigDisabled); a lost
/// answer or a wait that runs out pauses it, and resume decides by what the configuration then shows.
/// </summary>
internal sealed class MembershipExecution
{
    private readonly ClusterDefinition _cluster;
    private readonly MembershipStore _store;
    private readonly IMembershipTargets _targets;
    private readonly IAuditLog? _audit;
    private readonly TimeProvider _time;
    private readonly MembershipTimings _timings;
    private readonly Action<MembershipRun> _changed;
    private readonly CancellationTokenSource _stop;
    private long? _fromVersion;
    private MembershipRun _run;

    public MembershipExecution(MembershipRun run, long? fromVersion, ClusterDefinition cluster, MembershipStore store, IMembershipTargets targets, IAuditLog? audit,
        TimeProvider time, MembershipTimings timings, Action<MembershipRun> changed, CancellationToken shutdown)
    {
        _run = run;
        _fromVersion = fromVersion;
        _cluster = cluster;
        _store = store;
        _targets = targets;
        _audit = audit;
        _time = time;
        _timings = timings;
        _changed = changed;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        Completion = Task.Run(LoopAsync);
    }

    public Task Completion { get; }

    public void RequestStop()
    {
        try { _stop.Cancel(); } catch (ObjectDisposedException) { }
    }

    private async Task LoopAsync()
    {
        ZooKeeperClient? client = null;
        try
        {
            client = await MembershipReader.OpenAsync(_cluster, _stop.Token).ConfigureAwait(false);
            while (_run.Current is { } step)
            {
                var clock = Stopwatch.StartNew();
                if (step.State is StepState.Pending or StepState.Acting or StepState.Interrupted or StepState.Failed)
                {
                    var done = await ActAsync(client, step).ConfigureAwait(false);
                    if (!done) return;
                    step = _run.Current!;
                }
                if (!await WaitForServersAsync(client, step).ConfigureAwait(false)) return;
                step = _run.Current!;
                Save(_run with
                {
                    Steps = _run.Steps.SetItem(step.Index, step with { State = StepState.Succeeded, FinishedAt = _time.GetUtcNow() }),
                    CurrentStep = step.Index + 1,
                });
                Log(RunLogLine.Info, $"Step {step.Index + 1} done in {clock.ElapsedMilliseconds} ms: {step.AsPlan().Description}; every server reports config version {MembershipView.VersionText(step.ToVersion ?? 0)}.");
            }
            await FinishAsync(client).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Abort or shutdown: an abort saves the run itself; at shutdown the run stays "running" and is paused at the next start.
        }
        catch (Exception e) when (e is ZooKeeperException or TimeoutException or IOException or System.Net.Sockets.SocketException or ZooKeeperProtocolException)
        {
            Pause($"the ensemble could not be reached ({e.Message.TrimEnd('.')}); resume when it serves");
        }
        finally
        {
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Checks, records and sends one step's reconfig; false when the run paused or ended instead.</summary>
    private async Task<bool> ActAsync(ZooKeeperClient client, MembershipRunStep step)
    {
        var view = await ReadRetryingAsync(client, _run.Change).ConfigureAwait(false);
        if (step.State is StepState.Acting or StepState.Interrupted && Applied(view, step))
        {
            // The interrupted reconfig did happen: only the wait is left.
            Save(_run with { Steps = _run.Steps.SetItem(step.Index, step with { State = StepState.Waiting, ToVersion = view.ConfigVersion, Outcome = "the configuration already shows this step" }) });
            Log(RunLogLine.Info, $"Step {step.Index + 1}'s reconfig had been applied (config version {MembershipView.VersionText(view.ConfigVersion)}): waiting for the servers.");
            return true;
        }
        var refusals = MembershipPlanner.StepChecks(view, step.AsPlan(), _run.Change).Where(c => !c.Passed).ToList();
        if (refusals.Count > 0)
        {
            Pause($"step {step.Index + 1} ({step.AsPlan().Description}) is not safe now: {string.Join("; ", refusals)}");
            return false;
        }

        // The first step names the version the plan read; later ones the version the previous step produced; a
        // resumed step the version read now. A change by anyone else in between makes the servers answer BadVersion.
        var previous = step.Index > 0 ? _run.Steps[step.Index - 1].ToVersion : null;
        var from = _fromVersion ?? previous ?? view.ConfigVersion;
        _fromVersion = null;
        var started = step with { State = StepState.Acting, FromVersion = from, StartedAt = _time.GetUtcNow(), Outcome = null };
        Save(_run with { Steps = _run.Steps.SetItem(step.Index, started) });
        try
        {
            // A server whose role changes restarts its peer and drops its clients: the reconfig is sent over a
            // session to the servers the step leaves alone, so its answer is not lost with that connection.
            await using var sender = await MembershipReader.OpenAsync(_cluster, _stop.Token, Untouched(view, step)).ConfigureAwait(false);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // not abort's token: an answer sent must be read and recorded
            var result = await sender.ReconfigAsync(step.Joining, step.Leaving, from, bound.Token).ConfigureAwait(false);
            var (members, version) = Ensemble.ConfigMembershipReader.Parse(Encoding.UTF8.GetString(result.Data));
            Save(_run with { Steps = _run.Steps.SetItem(step.Index, started with { State = StepState.Waiting, ToVersion = version, Outcome = $"reconfig committed: {members.Length} members" }) });
            Audit(AuditOutcome.Succeeded, step, $"from {MembershipView.VersionText(from)} to {MembershipView.VersionText(version ?? 0)}");
            Log(RunLogLine.Info, $"Step {step.Index + 1}: reconfig {step.AsPlan().Description} committed, config version {MembershipView.VersionText(from)} -> {MembershipView.VersionText(version ?? 0)}.");
            return true;
        }
        catch (BadVersionException e)
        {
            return End(started, $"refused by the servers (BadVersion): the membership changed since config version {MembershipView.VersionText(from)} was read ({e.Message.TrimEnd('.')}). " +
                "Nothing was overwritten; plan again from the configuration as it is now");
        }
        catch (NoAuthException)
        {
            return End(started, "refused by the servers (NoAuth): " + MembershipPlanner.AclAdvice(_cluster) + " " + MembershipPlanner.RollingRestartAlternative(MembershipPlanner.ConfigAfter(view, [step.AsPlan()])));
        }
        catch (ZooKeeperException e) when (e.Code == ErrorCode.ReconfigDisabled)
        {
            return End(started, "refused by the servers (ReconfigDisabled): " + MembershipPlanner.DisabledAdvice + " " + MembershipPlanner.RollingRestartAlternative(MembershipPlanner.ConfigAfter(view, [step.AsPlan()])));
        }
        catch (ZooKeeperException e) when (e.Code is ErrorCode.NewConfigNoQuorum or ErrorCode.ReconfigInProgress or ErrorCode.BadArguments)
        {
            Save(_run with { Steps = _run.Steps.SetItem(step.Index, started with { State = StepState.Failed, Outcome = e.Message }) });
            Audit(AuditOutcome.Failed, step, e.Message);
            Pause($"step {step.Index + 1} was refused by the servers, nothing changed: {e.Message.TrimEnd('.')}");
            return false;
        }
        catch (Exception e) when (e is ConnectionLossException or RequestTimeoutException or OperationCanceledException or TimeoutException or IOException)
        {
            // The answer was lost, not necessarily the change: the configuration tells.
            var after = await ReadOrNullAsync(client).ConfigureAwait(false);
            if (after is not null && Applied(after, step) && after.ConfigVersion != from)
            {
                Save(_run with { Steps = _run.Steps.SetItem(step.Index, started with { State = StepState.Waiting, ToVersion = after.ConfigVersion, Outcome = "answer lost; the configuration shows the step" }) });
                Audit(AuditOutcome.Succeeded, step, $"answer lost ({e.Message.TrimEnd('.')}); the configuration shows it at {MembershipView.VersionText(after.ConfigVersion)}");
                Log(RunLogLine.Warning, $"Step {step.Index + 1}: the reconfig's answer was lost ({e.Message.TrimEnd('.')}), but config version {MembershipView.VersionText(after.ConfigVersion)} shows it applied.");
                return true;
            }
            Save(_run with { Steps = _run.Steps.SetItem(step.Index, started with { State = StepState.Interrupted, Outcome = $"no answer ({e.Message.TrimEnd('.')}): whether it was applied is unknown" }) });
            Pause($"step {step.Index + 1}'s reconfig got no answer ({e.Message.TrimEnd('.')}); resume reads the configuration to tell whether it was applied");
            return false;
        }
    }

    /// <summary>A fresh read, or null while the session reconnects (a server whose role changed dropped it).</summary>
    private async Task<MembershipView?> ReadOrNullAsync(ZooKeeperClient client)
    {
        try { return await MembershipReader.ReadAsync(_cluster, client, null, _time, _stop.Token).ConfigureAwait(false); }
        catch (Exception e) when (e is ConnectionLossException or RequestTimeoutException or TimeoutException && !_stop.IsCancellationRequested) { return null; }
    }

    /// <summary>A read that rides out a reconnect (up to the config wait); the last failure escapes and pauses the run.</summary>
    private async Task<MembershipView> ReadRetryingAsync(ZooKeeperClient client, MembershipChange? change)
    {
        var deadline = _time.GetUtcNow() + _timings.ConfigWait;
        while (true)
        {
            try { return await MembershipReader.ReadAsync(_cluster, client, change, _time, _stop.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is ConnectionLossException or RequestTimeoutException or TimeoutException && !_stop.IsCancellationRequested && _time.GetUtcNow() < deadline)
            {
                await Task.Delay(_timings.PollEvery, _time, _stop.Token).ConfigureAwait(false);
            }
        }
    }

    private static string? Untouched(MembershipView view, MembershipRunStep step)
    {
        var others = view.Servers.Where(s => s.IsMember && s.Serving && !step.ServerIds.Contains(s.Id)).Select(s => s.Address).ToList();
        return others.Count == 0 ? null : string.Join(',', others);
    }

    /// <summary>True when the configuration shows the step done: joining servers with their new role, leaving ones gone.</summary>
    private static bool Applied(MembershipView view, MembershipRunStep step)
    {
        if (step.Leaving is not null && step.ServerIds.Any(id => view.Members.Any(m => m.Id == id))) return false;
        if (step.Joining is null) return true;
        var observer = step.Joining.Contains(":observer", StringComparison.Ordinal);
        return view.Members.Any(m => m.Id == step.ServerIds[0] && m.IsObserver == observer);
    }

    private async Task<bool> WaitForServersAsync(ZooKeeperClient client, MembershipRunStep step)
    {
        var deadline = _time.GetUtcNow() + _timings.ConfigWait;
        var unmet = "no read yet";
        while (_time.GetUtcNow() < deadline)
        {
            _stop.Token.ThrowIfCancellationRequested();
            var view = await ReadOrNullAsync(client).ConfigureAwait(false);
            if (view is null)
            {
                unmet = "the session to the ensemble is reconnecting";
                await Task.Delay(_timings.PollEvery, _time, _stop.Token).ConfigureAwait(false);
                continue;
            }
            var target = step.ToVersion ?? view.ConfigVersion;
            var behind = view.Servers.Where(s => s.IsMember && s.ConfigVersion != target).ToList();
            var voters = view.Servers.Where(s => s.IsVoter).ToList();
            var up = voters.Count(s => s.VotesNow);
            if (view.ConfigVersion == target && behind.Count == 0 && view.LeaderId is not null && up >= MembershipStepPlan.QuorumOf(voters.Count))
            {
                if (step.ToVersion is null) Save(_run with { Steps = _run.Steps.SetItem(step.Index, step with { ToVersion = target }) });
                return true;
            }
            unmet = behind.Count > 0
                ? string.Join("; ", behind.Select(s => $"{s} reports {(s.ConfigVersion is { } v ? MembershipView.VersionText(v) : s.Error ?? "no version (conf refused?)")}"))
                : $"{up} of {voters.Count} voters serve{(view.LeaderId is null ? ", no leader" : "")}";
            await Task.Delay(_timings.PollEvery, _time, _stop.Token).ConfigureAwait(false);
        }
        Pause($"step {step.Index + 1}: after {_timings.ConfigWait.TotalSeconds:0} s not every server reports config version {MembershipView.VersionText(step.ToVersion ?? 0)} ({unmet}); resume to wait again");
        return false;
    }

    private async Task FinishAsync(ZooKeeperClient client)
    {
        var view = await ReadRetryingAsync(client, null).ConfigureAwait(false);
        var current = _targets.Find(_cluster.Id) ?? _cluster;
        var followed = MembershipSettings.Follow(current, view.Members, _run.Change.IsAdd ? _run.Change.Datacenter : null);
        _targets.Follow(followed);
        var differences = MembershipSettings.Differences(followed);
        var lines = differences.IsEmpty ? null : MembershipSettings.SettingsLines(followed);
        Save(_run with { State = RunState.Succeeded, FinishedAt = _time.GetUtcNow(), SettingsUpdate = lines });
        Log(RunLogLine.Info, $"Succeeded: {string.Join(", ", view.Members.Select(m => $"server.{m.Id} {(m.IsObserver ? "observer" : "voter")}"))} at config version {MembershipView.VersionText(view.ConfigVersion)}; the dashboard now polls these servers." +
            (lines is null ? "" : $" The settings differ ({string.Join("; ", differences)}): update them to {lines.Replace("\n", "  ", StringComparison.Ordinal)}"));
        _audit?.Record(new AuditEntry(_time.GetUtcNow(), _run.StartedBy, null, "membership-change", $"{_run.ClusterId}/{_run.Change}", AuditOutcome.Succeeded)
            { After = string.Join("\n", MembershipPlanner.ConfigAfter(view, [])), Detail = $"run {_run.Id}" });
    }

    private bool End(MembershipRunStep step, string reason)
    {
        Save(_run with { Steps = _run.Steps.SetItem(step.Index, step with { State = StepState.Failed, Outcome = reason, FinishedAt = _time.GetUtcNow() }), State = RunState.Aborted, FinishedAt = _time.GetUtcNow(), PauseReason = reason });
        Audit(AuditOutcome.Failed, step, reason);
        Log(RunLogLine.Error, $"Ended: step {step.Index + 1} {reason}.");
        return false;
    }

    private void Pause(string reason)
    {
        Save(_run with { State = RunState.Paused, PauseReason = reason });
        Log(RunLogLine.Warning, $"Paused: {reason}.");
    }

    private void Audit(AuditOutcome outcome, MembershipRunStep step, string detail) =>
        _audit?.Record(new AuditEntry(_time.GetUtcNow(), _run.StartedBy, null, "membership-reconfig", $"{_run.ClusterId}/step {step.Index + 1}: {step.AsPlan().Description}", outcome)
            { Before = step.FromVersion is { } f ? $"config version {MembershipView.VersionText(f)}" : null, After = step.Joining ?? $"without server.{string.Join(",", step.ServerIds)}", Detail = $"run {_run.Id}: {detail}" });

    private void Save(MembershipRun run)
    {
        _run = _store.Save(run);
        _changed(_run);
    }

    // Open screens show the log too: a line written after the last save (a pause's reason) must reach them.
    private void Log(string level, string message)
    {
        _store.AppendLog(_run.Id, new RunLogLine(_time.GetUtcNow(), level, message));
        _changed(_run);
    }
}
