using Dashboard.Core.Kafka.Sandbox;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Dashboard.Tests.Kafka;

/// <summary>The Kafka pages in Chromium: a killed broker shows without a reload (sandbox brokers on a real ensemble).</summary>
[Collection(BrowserCollection.Name)]
public sealed class KafkaBrowserTests(Browser browser) : IAsyncLifetime
{
    private ZooKeeperSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await ZooKeeperSandbox.StartAsync(new SandboxOptions { Voters = 3, Observers = 0 });

    public async Task DisposeAsync()
    {
        if (_sandbox is not null) await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task KafkaPage_BrokerKilled_ShownMissingAndIsrShrunkWithoutReload()
    {
        await using var kafka = await SandboxKafkaCluster.StartAsync(_sandbox.ConnectString, new SandboxKafkaOptions { Chroot = "/kafka" });
        await kafka.CreateTopicAsync("orders", 4, 3, new Dictionary<string, string> { ["min.insync.replicas"] = "2" });
        await kafka.CreateTopicAsync("logs", 3, 1);
        await using var app = new DashboardAppFactory(new Dictionary<string, string?>
        {
            ["Dashboard:Clusters:0:Name"] = "Local",
            ["Dashboard:Clusters:0:ConnectString"] = _sandbox.ConnectString,
        });
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        var controller = await kafka.CurrentControllerAsync();
        var victim = kafka.RunningBrokerIds.First(id => id != controller);

        await page.GotoAsync("/clusters/local/kafka");
        await Browser.WaitForCircuitAsync(page);
        // The first read may land after the page was served: the circuit brings the brokers in.
        await Assertions.Expect(page.Locator("#broker-table tr[data-status=alive]")).ToHaveCountAsync(3, new() { Timeout = 20_000 });
        var isrPage = await page.Context.NewPageAsync();
        isrPage.Console += (_, message) => { if (message.Type == "error") problems.Add("ISR page console: " + message.Text); };
        isrPage.PageError += (_, error) => problems.Add("ISR page error: " + error);
        await isrPage.GotoAsync("/clusters/local/kafka/topics/orders");
        await Browser.WaitForCircuitAsync(isrPage);
        await Assertions.Expect(isrPage.Locator("#isr-table [data-partition]")).ToHaveCountAsync(4);
        await page.EvaluateAsync("() => window.__marker = 'same page'");
        await isrPage.EvaluateAsync("() => window.__marker = 'same page'");

        await kafka.KillBrokerAsync(victim);

        // Broker 'victim' holds a "logs" replica (3 partitions over 3 brokers), so it stays listed as missing.
        await Assertions.Expect(page.Locator($"#broker-table tr[data-broker-id='{victim}']")).ToHaveAttributeAsync("data-status", "missing", new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#topic-table tr:has([data-topic=orders]) [data-field=urp]")).ToHaveTextAsync("4", new() { Timeout = 20_000 });
        await Assertions.Expect(isrPage.Locator($"#isr-table span[data-replica='{victim}'][data-in-isr=false]")).ToHaveCountAsync(4, new() { Timeout = 20_000 });
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.__marker"));
        Assert.Equal("same page", await isrPage.EvaluateAsync<string>("() => window.__marker"));
        Assert.Empty(problems);
    }
}
