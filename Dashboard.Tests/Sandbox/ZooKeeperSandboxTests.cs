using System.Diagnostics;
using Dashboard.Core.FourLetterWords;
using Dashboard.Core.Sandbox;

namespace Dashboard.Tests.Sandbox;

/// <summary>Real ZooKeeper processes, killed, restarted and frozen. Each class gets its own ensemble because these tests break it.</summary>
public sealed class ZooKeeperSandboxTests : IClassFixture<ZooKeeperSandboxTests.OwnEnsemble>
{
    public sealed class OwnEnsemble : IAsyncLifetime
    {
        public ZooKeeperSandbox Sandbox { get; private set; } = null!;
        public Task InitializeAsync() => ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 1 }).ContinueWith(t => Sandbox = t.Result);
        public async Task DisposeAsync() { if (Sandbox is not null) await Sandbox.DisposeAsync(); }
    }

    private readonly ZooKeeperSandbox _sandbox;

    public ZooKeeperSandboxTests(OwnEnsemble ensemble) => _sandbox = ensemble.Sandbox;

    private async Task<Dictionary<int, ServerMode>> ModesAsync()
    {
        var modes = new Dictionary<int, ServerMode>();
        foreach (var node in _sandbox.Nodes) modes[node.Id] = (await _sandbox.SrvrAsync(node.Id)).Mode;
        return modes;
    }

    [Fact]
    public async Task Start_ThreeVotersOneObserver_SrvrShowsOneLeaderTwoFollowersOneObserver()
    {
        await _sandbox.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        var modes = await ModesAsync();

        Assert.Equal(4, modes.Count);
        Assert.Single(modes.Values, m => m == ServerMode.Leader);
        Assert.Equal(2, modes.Values.Count(m => m == ServerMode.Follower));
        Assert.Equal(ServerMode.Observer, Assert.Single(_sandbox.Observers, n => modes[n.Id] == ServerMode.Observer) is { } o ? modes[o.Id] : ServerMode.Unknown);
        Assert.DoesNotContain(_sandbox.Observers, n => modes[n.Id] is ServerMode.Leader or ServerMode.Follower);
    }

    [Fact]
    public async Task KillLeader_RemainingVotersElectNewLeader_OldLeaderReturnsAsFollower()
    {
        await _sandbox.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        var oldLeader = await _sandbox.FindLeaderAsync();
        Assert.NotNull(oldLeader);

        await _sandbox.KillNodeAsync(oldLeader.Id);
        await _sandbox.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        var newLeader = await _sandbox.FindLeaderAsync();
        Assert.NotNull(newLeader);
        Assert.NotEqual(oldLeader.Id, newLeader.Id);
        Assert.False(newLeader.IsObserver);

        await _sandbox.StartNodeAsync(oldLeader.Id);
        var back = await _sandbox.WaitForNodeServingAsync(oldLeader.Id, TimeSpan.FromSeconds(60));
        Assert.Equal(ServerMode.Follower, back.Mode);
        await _sandbox.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task FreezeNode_SrvrTimesOutWithinTimeout_AndAnswersAfterUnfreeze()
    {
        await _sandbox.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        var target = _sandbox.Observers.First();
        await _sandbox.FreezeNodeAsync(target.Id);
        try
        {
            var timeout = TimeSpan.FromMilliseconds(700);
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<FourLetterWordException>(() => _sandbox.SrvrAsync(target.Id, timeout));
            clock.Stop();

            Assert.True(error.IsTimeout, error.Message);
            Assert.InRange(clock.Elapsed, timeout * 0.9, timeout + TimeSpan.FromSeconds(2));
        }
        finally
        {
            await _sandbox.UnfreezeNodeAsync(target.Id);
        }
        var answer = await _sandbox.WaitForNodeServingAsync(target.Id, TimeSpan.FromSeconds(60));
        Assert.Equal(ServerMode.Observer, answer.Mode);
    }

    [Fact]
    public async Task StopNode_Orderly_ProcessExitsAndPortRefuses()
    {
        await _sandbox.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        var follower = _sandbox.Voters.First(n => _sandbox.SrvrAsync(n.Id).Result.Mode == ServerMode.Follower);

        await _sandbox.StopNodeAsync(follower.Id);
        Assert.Equal(SandboxNodeState.Stopped, follower.State);
        Assert.Null(follower.ProcessId);
        var error = await Assert.ThrowsAsync<FourLetterWordException>(() => _sandbox.SrvrAsync(follower.Id));
        Assert.False(error.IsTimeout);

        var back = await _sandbox.RestartNodeAsync(follower.Id);
        Assert.Equal(ServerMode.Follower, back.Mode);
    }
}
