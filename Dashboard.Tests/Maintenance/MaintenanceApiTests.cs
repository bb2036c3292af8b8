using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Core.Sandbox;
using Dashboard.Tests.Access;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Maintenance;

/// <summary>The maintenance API as automation uses it: dry run, start, state, refusals, abort; operators only.</summary>
[Collection(SoloCollection.Name)]
public sealed class MaintenanceApiTests(MaintenanceEnsemble ensemble) : IClassFixture<MaintenanceEnsemble>
{
    private const string Base = "/api/clusters/local/maintenance";

    [Fact]
    public async Task StopObserverThroughApi_HoldsRunAndLock_SecondStartIs409_AbortFreesCluster()
    {
        await using var app = MaintenanceWebApp.Create(ensemble.Sandbox);
        MaintenanceWebApp.RegisterSandbox(app, ensemble.Sandbox);
        var viewer = await AccessTestApp.SignedInAsync(app, AccessTestApp.ViewerName);
        var operatorClient = await AccessTestApp.SignedInAsync(app, AccessTestApp.OperatorName);
        var token = await AccessTestApp.AntiforgeryTokenAsync(operatorClient, "/");
        operatorClient.DefaultRequestHeaders.Add("RequestVerificationToken", token);
        var observer = ensemble.Sandbox.Observers.First().Id;
        try
        {
            // The dry run holds command lines: operators only. It lists every check's verdict and touches nothing.
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync(new Uri($"{Base}/plan?operation=rolling-restart", UriKind.Relative))).StatusCode);
            using var plan = JsonDocument.Parse(await operatorClient.GetStringAsync(new Uri($"{Base}/plan?operation=rolling-restart", UriKind.Relative)));
            Assert.True(plan.RootElement.GetProperty("canStart").GetBoolean(), plan.RootElement.ToString());
            Assert.Equal(4, plan.RootElement.GetProperty("steps").GetArrayLength());
            Assert.Equal(observer, plan.RootElement.GetProperty("steps")[0].GetProperty("nodeId").GetInt32());
            Assert.Contains(plan.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetProperty("rule").GetString() == "quorum-kept");

            var body = new { operation = "stop", nodes = new[] { observer }, confirm = MaintenanceWebApp.ClusterName };
            var asViewer = await viewer.PostAsJsonAsync(new Uri($"{Base}/runs", UriKind.Relative), body);
            Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode);
            var unconfirmed = await operatorClient.PostAsJsonAsync(new Uri($"{Base}/runs", UriKind.Relative), body with { confirm = "local-typo" });
            Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);

            var started = await operatorClient.PostAsJsonAsync(new Uri($"{Base}/runs", UriKind.Relative), body);
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
            var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

            JsonElement run = default;
            for (var i = 0; i < 150; i++)
            {
                run = JsonDocument.Parse(await operatorClient.GetStringAsync(new Uri($"{Base}/runs/{runId}", UriKind.Relative))).RootElement;
                if (run.GetProperty("state").GetString() != "running") break;
                await Task.Delay(200);
            }
            Assert.Equal("paused", run.GetProperty("state").GetString());
            Assert.True(run.GetProperty("held").GetBoolean());
            Assert.Equal(observer, run.GetProperty("awayNodeIds")[0].GetInt32());
            Assert.NotEmpty(run.GetProperty("log").EnumerateArray());

            var second = await operatorClient.PostAsJsonAsync(new Uri($"{Base}/runs", UriKind.Relative), new { operation = "rolling-restart", confirm = MaintenanceWebApp.ClusterName });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
            var refusals = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refusals").EnumerateArray().ToList();
            Assert.Contains(refusals, r => r.GetProperty("rule").GetString() == "one-run-per-cluster" && r.GetProperty("toPass").GetString()!.Contains(runId!, StringComparison.Ordinal));

            var aborted = await operatorClient.PostAsync(new Uri($"{Base}/runs/{runId}/abort", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.OK, aborted.StatusCode);
            Assert.Equal("aborted", (await aborted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
            var audit = await AccessTestApp.AuditAsync(app);
            Assert.Contains(audit, e => e.Action == "maintenance-start" && e.User == AccessTestApp.OperatorName);
            Assert.Contains(audit, e => e.Action == "maintenance-abort" && e.User == AccessTestApp.OperatorName);
        }
        finally
        {
            if (ensemble.Sandbox.Node(observer).State == SandboxNodeState.Stopped) await ensemble.Sandbox.StartNodeAsync(observer);
            await ensemble.Sandbox.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        }
    }
}
