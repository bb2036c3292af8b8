using System.Text;
using Dashboard.Core.ZooKeeper;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.ZooKeeper;

[Collection(SharedEnsembleCollection.Name)]
public sealed class TransactionTests(SharedEnsemble ensemble) : IAsyncLifetime
{
    private readonly string _root = $"/multi-{Guid.NewGuid():N}";
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = await ZooKeeperClient.ConnectAsync(ensemble.Sandbox.ConnectString);
        await _client.CreateAsync(_root, Array.Empty<byte>());
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task Multi_AllOperationsValid_AppliesAllAndReturnsResults()
    {
        await _client.CreateAsync($"{_root}/old", Array.Empty<byte>());
        await _client.CreateAsync($"{_root}/data", "1"u8.ToArray());

        var results = await _client.MultiAsync(
        [
            TransactionOperation.Create($"{_root}/new", "n"u8.ToArray()),
            TransactionOperation.Delete($"{_root}/old", 0),
            TransactionOperation.SetData($"{_root}/data", "2"u8.ToArray(), 0),
            TransactionOperation.Check($"{_root}/data", 1),
        ]);

        Assert.Equal($"{_root}/new", Assert.IsType<CreateResult>(results[0]).Path);
        Assert.IsType<DeleteResult>(results[1]);
        Assert.Equal(1, Assert.IsType<SetDataResult>(results[2]).Stat.Version);
        Assert.IsType<CheckResult>(results[3]);
        Assert.Null(await _client.ExistsAsync($"{_root}/old"));
        Assert.Equal("2", Encoding.UTF8.GetString((await _client.GetDataAsync($"{_root}/data")).Data));
    }

    [Fact]
    public async Task Multi_OneOperationFails_NothingApplied()
    {
        await _client.CreateAsync($"{_root}/keep", Array.Empty<byte>());

        var error = await Assert.ThrowsAsync<TransactionFailedException>(() => _client.MultiAsync(
        [
            TransactionOperation.Create($"{_root}/a", Array.Empty<byte>()),
            TransactionOperation.SetData($"{_root}/keep", "changed"u8.ToArray()),
            TransactionOperation.Check($"{_root}/keep", 7),
            TransactionOperation.Create($"{_root}/b", Array.Empty<byte>()),
        ]));

        Assert.Equal(ErrorCode.BadVersion, error.Code);
        Assert.Equal(2, error.FailedIndex);
        Assert.Equal($"{_root}/keep", error.Path);
        Assert.Equal(ErrorCode.BadVersion, Assert.IsType<ErrorResult>(error.Results[2]).Code);
        Assert.Equal(ErrorCode.RuntimeInconsistency, Assert.IsType<ErrorResult>(error.Results[3]).Code);
        Assert.Null(await _client.ExistsAsync($"{_root}/a"));
        Assert.Equal(0, (await _client.ExistsAsync($"{_root}/keep"))!.Version);
        Assert.Null(await _client.ExistsAsync($"{_root}/b"));
    }

    [Fact]
    public async Task MultiRead_MixedReads_ReturnsEachResultOrError()
    {
        await _client.CreateAsync($"{_root}/r", "data"u8.ToArray());
        await _client.CreateAsync($"{_root}/r/c1", Array.Empty<byte>());

        var results = await _client.MultiReadAsync(
        [
            ReadOperation.GetData($"{_root}/r"),
            ReadOperation.GetChildren($"{_root}/r"),
            ReadOperation.GetData($"{_root}/missing"),
        ]);

        Assert.Equal("data", Encoding.UTF8.GetString(Assert.IsType<DataReadResult>(results[0]).Data));
        Assert.Equal(["c1"], Assert.IsType<ChildrenReadResult>(results[1]).Names);
        Assert.Equal(ErrorCode.NoNode, Assert.IsType<ErrorResult>(results[2]).Code);
    }
}
