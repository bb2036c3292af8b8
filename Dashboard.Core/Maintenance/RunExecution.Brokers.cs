using Dashboard.Core.Access;

namespace Dashboard.Core.Maintenance;

/// <summary>
/// Kafka broker steps: the same loop, log, pause and persistence as ZooKeeper steps; only what is checked before
/// acting and waited for afterwards differs.
/// </summary>
internal sealed partial class RunExecution
{
    /// <summary>A broker's step up to its action: re-read who controls (it goes last), re-check, act. False when the run paused.</summary>
    private async Task<bool> PrepareBrokerAsync(MaintenanceStep step, string number, CancellationToken token)
    {
        if (_target.Kafka is not { } kafka)
        {
            Pause($"{number} ({Verb(step.Action)} {step.Node}) refused: no Kafka cluster is known on this ensemble any more");
            return false;
        }
        var clusterId = _target.Cluster.Id;
        step = KeepControllerLast(await kafka.Checks.RollOrderAsync(clusterId, token).ConfigureAwait(false), step);
        var zooKeeper = MaintenanceChecks.ZooKeeperCanLoseVoter(await _target.Reader.ReadAsync(token).ConfigureAwait(false), ZooKeeperRiskAccepted);
        var refusals = (await kafka.Checks.BeforeRestartAsync(clusterId, step.NodeId, token).ConfigureAwait(false)).Append(zooKeeper).Where(c => !c.Passed).ToList();
        if (refusals.Count > 0)
        {
            Pause($"{number} ({Verb(step.Action)} {step.Node}) refused: {string.Join("; ", refusals)}");
            return false;
        }
        var node = await kafka.Checks.BrokerNodeAsync(clusterId, step.NodeId, token).ConfigureAwait(false) ?? new Clusters.NodeDefinition(step.Node, 0) { Id = step.NodeId };
        var control = kafka.Controls(node, out var problem);
        var epoch = await kafka.Checks.BrokerEpochAsync(clusterId, step.NodeId, token).ConfigureAwait(false);
        return await ActAsync(step, node, control, problem, epoch, number).ConfigureAwait(false);
    }

    /// <summary>The controller can move after any restart: the pending broker that controls now goes last.</summary>
    private MaintenanceStep KeepControllerLast(System.Collections.Immutable.ImmutableArray<int> order, MaintenanceStep step)
    {
        var pending = Run.Steps.Skip(Run.CurrentStep).Where(s => s.State == StepState.Pending).ToList();
        var first = pending.Where(s => order.Contains(s.NodeId)).OrderBy(s => order.IndexOf(s.NodeId)).FirstOrDefault();
        if (first is null || first.Index == step.Index) return step;
        return GoFirst(step, first, $"Controller re-read: {step.Node} goes after {first.Node} (the active controller is restarted last).");
    }

    private Func<CancellationToken, Task<IReadOnlyList<string>>> BrokerUnmet(MaintenanceStep step) => async token =>
        _target.Kafka is { } kafka
            ? await kafka.Checks.UnmetAfterRestartAsync(_target.Cluster.Id, step.NodeId, step.ZxidBefore, token).ConfigureAwait(false)
            : ["no Kafka cluster is known on this ensemble any more"];

    /// <summary>
    /// The optional last step of a broker roll: wait out any election already pending, request one (saved as started
    /// first, so it is not requested twice after a crash), then wait until the controller has run it. False when paused.
    /// </summary>
    private async Task<bool> ElectAsync(MaintenanceStep step, string number, CancellationToken token)
    {
        if (_target.Kafka is not { } kafka)
        {
            Pause($"{number} ({step.Node}) refused: no Kafka cluster is known on this ensemble any more");
            return false;
        }
        var clusterId = _target.Cluster.Id;
        if (step.ActionStartedAt is null)
        {
            if (await WaitAsync(step, ElectionPending(kafka), token).ConfigureAwait(false) is { } earlier)
            {
                Pause($"{number}: an earlier preferred leader election was still pending after {Seconds(Timeout(step))}: {earlier}");
                return false;
            }
            step = step with { State = StepState.Acting, ActionStartedAt = _time.GetUtcNow() };
            Update(Run, step);
            Log(RunLogLine.Info, $"{number}: requesting a preferred leader election.");
            var result = await kafka.Checks.RequestPreferredLeaderElectionAsync(clusterId, null, token).ConfigureAwait(false);
            step = step with
            {
                State = result.Accepted ? StepState.Waiting : StepState.Failed, ActionFinishedAt = _time.GetUtcNow(),
                ActionSucceeded = result.Accepted, Outcome = result.Message,
            };
            Update(Run, step);
            Log(result.Accepted ? RunLogLine.Info : RunLogLine.Error, $"{number}: {result.Message}.");
            _audit?.Record(new AuditEntry(_time.GetUtcNow(), Run.StartedBy, null, "kafka-preferred-election", $"{clusterId}/all topics",
                result.Accepted ? AuditOutcome.Succeeded : AuditOutcome.Failed) { Detail = $"run {Run.Id} {number}: {result.Message}" });
            if (!result.Accepted)
            {
                Pause($"{number} failed: {result.Message}. Resume with retry to request it again");
                return false;
            }
        }
        var unmet = await WaitAsync(step, ElectionPending(kafka), token).ConfigureAwait(false);
        if (unmet is not null)
        {
            Pause($"{number}: the preferred leader election was not run within {Seconds(Timeout(step))}: {unmet}");
            return false;
        }
        var now = _time.GetUtcNow();
        Update(Run with { CurrentStep = Run.CurrentStep + 1 }, step with { State = StepState.Succeeded, FinishedAt = now, Outcome = Done(step) });
        Log(RunLogLine.Info, $"{number} done: {Done(step)} after {Seconds(now - step.ActionStartedAt!.Value)}.");
        return true;
    }

    private Func<CancellationToken, Task<IReadOnlyList<string>>> ElectionPending(BrokerRollTarget kafka) => async token =>
        await kafka.Checks.PreferredElectionPendingAsync(_target.Cluster.Id, token).ConfigureAwait(false)
            ? ["/admin/preferred_replica_election is still pending (the controller has not run it)"]
            : [];
}
