using LoraLab.Engine.Devices;
using LoraLab.Web.Models;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace LoraLab.Web.Extensions;

public static class LoraLabServiceExtensions
{
    public static WebApplicationBuilder AddLoraLabServices(this WebApplicationBuilder builder)
    {
        // Serves the top-level wwwroot/ from its source folder under `dotnet run` in every environment,
        // not only Development; a published app has no such manifest and serves its own wwwroot/.
        builder.WebHost.UseStaticWebAssets();

        builder.Services.AddOptions<LoraLabOptions>().Bind(builder.Configuration.GetSection(LoraLabOptions.Section));
        builder.Services.AddSingleton(sp => ComputeDevice.Select(sp.GetRequiredService<IOptions<LoraLabOptions>>().Value.Device));
        builder.Services.AddSingleton<ModelRegistry>();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        return builder;
    }
}
