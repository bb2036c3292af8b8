using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Dashboard.Tests.Support;

/// <summary>
/// A bUnit context for our components: MudBlazor's services, loose JS interop (MudBlazor calls into its script),
/// and by default rendered as in an open circuit, so live components subscribe as they do in a browser. Held in
/// a field and disposed in <c>DisposeAsync</c>: under xunit 2 a test class cannot inherit the context (it only
/// implements IAsyncDisposable).
/// </summary>
public sealed class ComponentContext : IAsyncDisposable
{
    public BunitContext Bunit { get; } = new();

    /// <param name="services">The services the components under test inject (bUnit takes none after the first render).</param>
    public ComponentContext(Action<IServiceCollection>? services = null, bool interactive = true)
    {
        Bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        Bunit.Services.AddMudServices();
        services?.Invoke(Bunit.Services);
        if (interactive) Bunit.SetRendererInfo(new RendererInfo("Server", true));
    }

    public ValueTask DisposeAsync() => Bunit.DisposeAsync();
}
