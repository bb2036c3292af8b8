using Bunit;
using Dashboard.Components.Controls;
using Dashboard.Core.Text;
using Dashboard.Tests.Support;

namespace Dashboard.Tests.Text;

public sealed class VisibleTextTests : IAsyncLifetime
{
    private readonly ComponentContext _ui = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _ui.DisposeAsync();

    [Fact]
    public void Shown_RightToLeftOverride_IsMarkedSoTheNameCannotReadBackwards()
    {
        // "invoice\u202Etxt.exe" displays as "invoiceexe.txt" when the override is applied.
        Assert.Equal("invoice[U+202E RLO]txt.exe", VisibleText.Shown("invoice\u202Etxt.exe"));
    }

    [Theory]
    [InlineData('\u202A'), InlineData('\u202B'), InlineData('\u202C'), InlineData('\u202D'), InlineData('\u202E')]
    [InlineData('\u2066'), InlineData('\u2067'), InlineData('\u2068'), InlineData('\u2069')]
    [InlineData('\u200B'), InlineData('\u200C'), InlineData('\u200D'), InlineData('\u2060'), InlineData('\uFEFF')]
    public void EveryDisguisingCharacter_IsMarked(char c)
    {
        var runs = VisibleText.Runs($"a{c}b").ToArray();
        Assert.Equal([new VisibleRun("a", false), new VisibleRun(VisibleText.Mark(c), true), new VisibleRun("b", false)], runs);
    }

    [Fact]
    public void OrdinaryNames_AreUntouched_IncludingRightToLeftScripts()
    {
        Assert.False(VisibleText.HasDisguise("brokers/ids/1"));
        // Hebrew and Arabic letters are text, not controls: shown as they are.
        Assert.Equal("שלום/مرحبا", VisibleText.Shown("שלום/مرحبا"));
        Assert.Single(VisibleText.Runs("plain"));
        Assert.Empty(VisibleText.Runs(""));
    }

    [Fact]
    public void Confirms_AcceptsTheExactNameAndTheNameAsShown_NothingElse()
    {
        const string Name = "/app\u200Bconfig";
        Assert.True(VisibleText.Confirms(Name, Name));
        Assert.True(VisibleText.Confirms("/app[U+200B ZWSP]config", Name));
        Assert.False(VisibleText.Confirms("/appconfig", Name));
    }

    [Fact]
    public void ShownText_RendersTheMarkAsABadgeAndNeverTheControlCharacter()
    {
        var cut = _ui.Bunit.Render<ShownText>(p => p.Add(c => c.Text, "a\u202Eb"));

        Assert.Equal("[U+202E RLO]", cut.Find("[data-hidden-char]").TextContent);
        Assert.DoesNotContain('\u202E', cut.Markup);
    }
}
