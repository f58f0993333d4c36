using Bunit;
using MudBlazor.Services;

namespace LoraLab.Web.Tests;

/// <summary>The one bUnit base for component tests: MudBlazor's services, and JS interop that answers every call with a default.</summary>
public abstract class MudBlazorContext : BunitContext
{
    protected MudBlazorContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }
}
