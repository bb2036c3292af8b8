using System.Net;
using System.Text;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Znodes;

/// <summary>The whole value as a file, and a missing node as a clear answer, against the real shared ensemble.</summary>
[Collection(SharedEnsembleCollection.Name)]
public sealed class ZnodeDownloadTests(SharedEnsemble ensemble)
{
    private string Server => ensemble.Sandbox.Voters.First().ClientAddress;

    [Fact]
    public async Task Download_BinaryValueLargerThanPreview_ArrivesWholeAndByteExactWithFileName()
    {
        await using var zk = await ZnodeFixture.ClientAsync(Server);
        var root = ZnodeFixture.UniqueRoot("download");
        // 200 KB (beyond the page's 64 KB preview) of every byte value, zeros and invalid UTF-8 included.
        var value = Enumerable.Range(0, 200 * 1024).Select(i => (byte)(i * 31 % 256)).ToArray();
        await zk.CreateAsync(root, value);
        await using var app = ZnodeTestApp.Start(Server);

        var response = await app.Http.GetAsync(new Uri($"/clusters/zk/znodes/download?path={Uri.EscapeDataString(root)}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".bin", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        Assert.Equal(value, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_MissingNode_SaysSoWithoutErrorPage()
    {
        await using var app = ZnodeTestApp.Start(Server);
        var missing = ZnodeFixture.UniqueRoot("nothing-here");

        var response = await app.Http.GetAsync(new Uri($"/clusters/zk/znodes/download?path={Uri.EscapeDataString(missing)}", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(missing, body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }
}

/// <summary>A hung server (SIGSTOP) must give the page a timeout message within the configured bounds, never a hang.</summary>
[Collection(SoloCollection.Name)]
public sealed class ZnodeFrozenServerTests : IAsyncLifetime
{
    private ZooKeeperSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 1, Observers = 0 });

    public async Task DisposeAsync()
    {
        if (_sandbox is not null) await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Page_ServerFrozen_ClearMessageWithinTimeouts()
    {
        var node = _sandbox.Nodes[0];
        await using var app = ZnodeTestApp.Start(node.ClientAddress, extra: new() { ["Znodes:RequestTimeout"] = "00:00:02", ["Znodes:PageTimeout"] = "00:00:03" });
        await app.PageAsync("/"); // connected while the server still answers
        await _sandbox.FreezeNodeAsync(node.Id);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var response = await app.Http.GetAsync(new Uri(ZnodeTestApp.PageUrl("/zookeeper"), UriKind.Relative));
            clock.Stop();
            var page = await ZnodeTestApp.ParseAsync(await response.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the page took {clock.Elapsed.TotalSeconds:0.0} s");
            var problem = page.QuerySelector("#znode-problem");
            Assert.True(problem is not null, "the page names the problem: " + page.QuerySelector("main")?.TextContent);
            Assert.False(string.IsNullOrWhiteSpace(problem.TextContent));
            Assert.DoesNotContain("   at ", page.Body?.TextContent, StringComparison.Ordinal);
        }
        finally
        {
            await _sandbox.UnfreezeNodeAsync(node.Id);
        }
    }
}
