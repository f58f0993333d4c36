using LoraLab.Web.Models;

namespace LoraLab.Web.Extensions;

public static class HubDownloadServices
{
    /// <summary>Downloads from the Hugging Face Hub (LoraLab:HubEndpoint, LoraLab:HubToken) and the worker that runs them.</summary>
    public static IServiceCollection AddHubDownloads(this IServiceCollection services)
    {
        services.AddSingleton<HubDownloads>();
        services.AddHostedService<HubDownloadWorker>();
        return services;
    }
}
