using Dashboard.Tests.Support;
using Microsoft.Playwright;

namespace Dashboard.Tests.Access;

/// <summary>Signing in and managing tokens in Chromium, under the real Content Security Policy.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInBrowserTests(Browser browser)
{
    [Fact]
    public async Task SignIn_InChromium_ShowsUserAndRoleWithNoCspViolations()
    {
        await using var app = AccessTestApp.Create();
        var (page, problems) = await browser.NewPageAsync(app.StartRealServer());
        var cspViolations = new List<string>();
        await page.ExposeFunctionAsync("reportCsp", (string text) => cspViolations.Add(text));
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => window.reportCsp(e.violatedDirective + ' ' + e.blockedURI))");

        await page.GotoAsync("/admin/tokens");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sign-in\\?returnUrl="));
        await page.FillAsync("#name", AccessTestApp.AdminName);
        await page.FillAsync("#password", AccessTestApp.AdminPassword);
        await page.ClickAsync("#sign-in-form button[type=submit]");

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("API tokens");
        Assert.Equal(AccessTestApp.AdminName, await page.Locator("[data-user-name]").TextContentAsync());
        Assert.Equal("admin", await page.Locator("[data-user-role]").TextContentAsync());

        await Browser.WaitForCircuitAsync(page);
        await page.FillAsync("#token-name", "browser-bot");
        await page.ClickAsync("#create-token-button");
        await Assertions.Expect(page.Locator("[data-token-secret]")).ToContainTextAsync("zkd_");

        await page.GotoAsync("/");
        await Browser.WaitForCircuitAsync(page);
        Assert.Empty(cspViolations);
        Assert.Empty(problems);
    }
}
