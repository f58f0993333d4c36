using Bunit;
using MudBlazor.Services;

namespace LoraLab.Web.Tests;

/// <summary>
/// The one bUnit base for component tests: MudBlazor's services, and JS interop that answers every call with a default.
/// Disposed asynchronously, because some MudBlazor services (popovers, pointer events) can only be disposed that way.
/// </summary>
public abstract class MudBlazorContext : BunitContext, IAsyncLifetime
{
    protected MudBlazorContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
