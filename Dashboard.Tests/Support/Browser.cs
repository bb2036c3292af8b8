using Microsoft.Playwright;

namespace Dashboard.Tests.Support;

/// <summary>
/// Debian's Chromium driven by Playwright (never `playwright install`: it downloads browsers, which fails here).
/// One browser for the whole run; each test takes a fresh context and page.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;
    public IBrowser Instance { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install it with 'apt-get install chromium' (the test script does this).");
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A new page that records console errors and failed requests, which every browser test asserts are absent.</summary>
    public async Task<(IPage Page, List<string> Problems)> NewPageAsync(Uri baseAddress)
    {
        var context = await Instance.NewContextAsync(new() { BaseURL = baseAddress.ToString() });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add("console: " + message.Text); };
        page.PageError += (_, error) => problems.Add("page error: " + error);
        page.RequestFailed += (_, request) => problems.Add($"request failed: {request.Url} {request.Failure}");
        page.Response += (_, response) => { if (response.Status >= 400) problems.Add($"HTTP {response.Status}: {response.Url}"); };
        return (page, problems);
    }

    /// <summary>
    /// Waits until the page's circuit is up (the shell renders this marker only when interactive): before that, a
    /// page is the prerendered copy and clicks do nothing.
    /// </summary>
    public static Task WaitForCircuitAsync(IPage page, float timeoutMs = 30_000) =>
        Assertions.Expect(page.Locator("#components-reconnect-modal")).ToHaveAttributeAsync("data-circuit", "interactive", new() { Timeout = timeoutMs });

    public async Task DisposeAsync()
    {
        if (Instance is not null) await Instance.DisposeAsync();
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}
