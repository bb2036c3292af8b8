using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Dashboard.Tests.Support;

/// <summary>
/// The dashboard as it is deployed: its own process (the built Dashboard.dll), its settings in an appsettings.json of
/// a folder of its own (the content root), on a free loopback port. For behaviour that depends on the host itself,
/// such as settings reloaded from an edited file.
/// </summary>
internal sealed class DashboardProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private DashboardProcess(Process process, string folder, Uri address) => (_process, Folder, Address) = (process, folder, address);

    public string Folder { get; }
    public Uri Address { get; }
    public string SettingsFile => Path.Combine(Folder, "appsettings.json");

    public string Output
    {
        get { lock (_output) return string.Join('\n', _output); }
    }

    /// <summary>Starts it with <paramref name="settingsJson"/> as its appsettings.json and waits until it answers.</summary>
    public static async Task<DashboardProcess> StartAsync(string settingsJson)
    {
        var folder = Directory.CreateTempSubdirectory("dashboard-process-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "appsettings.json"), settingsJson);
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Dashboard", "bin", "Debug", "net10.0", "Dashboard.dll"));
        Assert.True(File.Exists(dll), $"{dll} is not built: build Dashboard.Tests (it builds Dashboard)");
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, "--urls", address.ToString().TrimEnd('/'), "--History:DatabasePath", Path.Combine(folder, "history.db") })
            start.ArgumentList.Add(argument);
        // Polling sees the edited file on any file system (inotify instances may run out on a shared machine).
        start.Environment["DOTNET_USE_POLLING_FILE_WATCHER"] = "true";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        var running = new DashboardProcess(process, folder, address);
        process.OutputDataReceived += (_, e) => running.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => running.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await running.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(120));
        return running;
    }

    /// <summary>A client of its own (cookies kept, redirects not followed), as one browser.</summary>
    public HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
    {
        BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60),
    };

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(_process.HasExited, $"the dashboard exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            try
            {
                using var response = await client.GetAsync(new Uri("/sign-in", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            Assert.True(DateTime.UtcNow < deadline, $"the dashboard did not answer within {timeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(300);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills it at once (SIGKILL), as a host failure would: nothing of its own shutdown runs.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        _process.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
