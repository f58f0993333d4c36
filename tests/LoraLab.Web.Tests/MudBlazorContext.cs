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
        // bUnit waits one second by default; on a loaded 2-core CI machine a render can take longer than that.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
