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
        var refusals = (await kafka.Checks.BeforeRestartAsync(clusterId, step.NodeId, token).ConfigureAwait(false)).Where(c => !c.Passed).ToList();
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
}
