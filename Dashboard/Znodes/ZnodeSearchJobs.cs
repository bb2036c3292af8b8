using System.Collections.Concurrent;
using Dashboard.Core.Znodes;

namespace Dashboard.Znodes;

/// <summary>A running or finished subtree search; progress is replaced whole so readers never see a torn value.</summary>
public sealed class ZnodeSearchJob(Guid id, string clusterId)
{
    public Guid Id { get; } = id;
    public string ClusterId { get; } = clusterId;
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
    public volatile WalkProgress Progress = new(0, 0, TimeSpan.Zero);
    public volatile SubtreeWalk? Result;
    public volatile string? Error;
}

/// <summary>
/// Searches run in the background so the page can show progress by polling; only the latest few are kept, and
/// each is bounded by nodes visited and time, so a search can never run away.
/// </summary>
internal sealed class ZnodeSearchJobs(ZnodeBrowser browser, ZnodeOptions options)
{
    private const int Kept = 50;
    private readonly ConcurrentDictionary<Guid, ZnodeSearchJob> _jobs = new();

    public ZnodeSearchJob Start(string clusterId, string root, string pattern)
    {
        ZooKeeperPathCheck(root);
        var match = SubtreeWalker.PathPattern(pattern);
        var job = new ZnodeSearchJob(Guid.NewGuid(), clusterId);
        _jobs[job.Id] = job;
        foreach (var old in _jobs.Values.OrderByDescending(j => j.Started).Skip(Kept)) _jobs.TryRemove(old.Id, out _);
        _ = Task.Run(async () =>
        {
            try
            {
                var progress = new Progress<WalkProgress>(p => job.Progress = p);
                // A little beyond the walk's own time bound, so the walk stops itself and reports partial results.
                job.Result = await browser.RunAsync(clusterId,
                    (client, ct) => SubtreeWalker.WalkAsync(client, root, options.SearchMaxNodes, options.SearchMaxTime, match, progress, ct),
                    CancellationToken.None, options.SearchMaxTime + options.PageTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (browser.IsExpected(e, CancellationToken.None))
            {
                job.Error = ZnodeErrors.Describe(e);
            }
        });
        return job;
    }

    public ZnodeSearchJob? Find(Guid id) => _jobs.GetValueOrDefault(id);

    private static void ZooKeeperPathCheck(string root) => Core.ZooKeeper.ZooKeeperPath.Validate(root);
}
