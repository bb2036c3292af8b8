using System.Text.Json;
using Dashboard.Core.Clusters;
using Dashboard.Core.Ensemble;
using Dashboard.Core.History;
using Dashboard.Core.Replicas;

namespace Dashboard.Replicas;

/// <summary>
/// Live pages on every replica while only the lease holder polls: the holder publishes its newest snapshot of each
/// cluster it holds (all in one statement, every <see cref="PublishInterval"/>), and every replica reads what the
/// others published since its last read (every <see cref="FollowInterval"/>) into its own store, so its pages,
/// API, subscriptions and <c>/readyz</c> see them as if polled here. Both run off the poll loops: a slow or absent
/// database delays only this (a follower's view then ages and <c>/readyz</c> says so), never a poll.
/// </summary>
internal sealed partial class LiveSnapshotSharing(ClusterLeases leases, PollingDuty duty, LiveSnapshotStore snapshots, LiveSnapshotOutbox outbox,
    EnsembleStore store, ClusterRegistry registry, TimeProvider time, ILogger<LiveSnapshotSharing> logger) : BackgroundService
{
    internal static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(250);
    internal static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How often rows of clusters no replica holds any more are deleted, and how long after their lease lapsed.</summary>
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private long _seen;
    private DateTimeOffset _pruned;
    private bool _publishFailing;
    private bool _followFailing;
    private bool _unreadableLogged;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!leases.IsShared) return Task.CompletedTask; // one dashboard polls every cluster itself
        _pruned = time.GetUtcNow();
        return Task.WhenAll(EveryAsync(PublishInterval, PublishOnce, stoppingToken), EveryAsync(FollowInterval, FollowOnce, stoppingToken));
    }

    private async Task EveryAsync(TimeSpan interval, Action round, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            // Dapper's calls block: on the thread pool, never on a poll loop's thread.
            do await Task.Run(round, stoppingToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal void PublishOnce()
    {
        var pending = outbox.TakeAll();
        var publishes = new List<LiveSnapshotPublish>(pending.Count);
        foreach (var snapshot in pending)
        {
            // A lease lost since the poll: the new holder publishes its own.
            if (leases.EpochOf(snapshot.ClusterId) is not { } epoch) continue;
            publishes.Add(new LiveSnapshotPublish(snapshot.ClusterId, epoch, snapshot.TakenAt.ToUnixTimeMilliseconds(),
                JsonSerializer.Serialize(snapshot, EnsembleHistoryRecorder.SnapshotJson)));
        }
        if (publishes.Count == 0) return;
        try
        {
            snapshots.Publish(leases.Holder, publishes);
            if (_publishFailing) LogPublishRecovered(logger);
            _publishFailing = false;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            // Back into the outbox, unless a newer poll is already there: still one snapshot per cluster.
            foreach (var snapshot in pending) outbox.Offer(snapshot);
            if (!_publishFailing) LogPublishFailing(logger, e.Message);
            _publishFailing = true;
        }
    }

    private readonly Dictionary<string, long> _rowTaken = new(StringComparer.Ordinal);

    internal void FollowOnce()
    {
        try
        {
            foreach (var row in snapshots.ReadSince(_seen, leases.Holder))
            {
                _seen = Math.Max(_seen, row.Version);
                Follow(row);
            }
            if (time.GetUtcNow() - _pruned > PruneInterval)
            {
                snapshots.Prune(PruneInterval);
                _pruned = time.GetUtcNow();
                // Once in a while every row again (one per cluster; only news is deserialized): heals a publish
                // passed over by commit order and a database restored with its version sequence behind ours.
                _seen = 0;
            }
            if (_followFailing) LogFollowRecovered(logger);
            _followFailing = false;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            if (!_followFailing) LogFollowFailing(logger, e.Message);
            _followFailing = true;
        }
    }

    private void Follow(LiveSnapshotRow row)
    {
        // A row newer than the last one of its cluster (the periodic re-read returns old ones too) says its holder publishes.
        if (!_rowTaken.TryGetValue(row.ClusterId, out var previous) || row.TakenMs > previous)
        {
            _rowTaken[row.ClusterId] = row.TakenMs;
            if (previous != 0) duty.HolderPublished(row.ClusterId); // the first row seen may be one left long ago
        }
        if (duty.Polls(row.ClusterId)) return; // this replica's own polls are newer than anyone's row
        if (registry.Find(row.ClusterId) is not { Availability: ClusterAvailability.Configured or ClusterAvailability.Ready } entry || entry.Definition.Nodes.IsDefaultOrEmpty) return;
        // Read the JSON only when it can be news: the row's time is in the clear.
        if (store.Get(row.ClusterId)?.Latest is { } latest && row.TakenMs < latest.TakenAt.ToUnixTimeMilliseconds()) return;
        var snapshot = EnsembleHistoryRecorder.FromJson(row.Json);
        if (snapshot is null || snapshot.ClusterId != row.ClusterId)
        {
            // Published by a replica of another version whose shape this one does not read: wait for a replica of ours to hold it.
            if (!_unreadableLogged) LogUnreadable(logger, row.ClusterId, row.Holder);
            _unreadableLogged = true;
            return;
        }
        store.RecordNewer(snapshot);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live snapshots cannot be published ({Problem}); other replicas' pages of this replica's clusters age until the database answers.")]
    private static partial void LogPublishFailing(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live snapshots are published again.")]
    private static partial void LogPublishRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Other replicas' live snapshots cannot be read ({Problem}); their clusters' pages age until the database answers.")]
    private static partial void LogFollowFailing(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Other replicas' live snapshots are read again.")]
    private static partial void LogFollowRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live snapshot of cluster {ClusterId} published by {Holder} does not read here (another version?); it is skipped.")]
    private static partial void LogUnreadable(ILogger logger, string clusterId, string holder);
}
