using LoraLab.Web.Serving;

namespace LoraLab.Web.Extensions;

public static class ServingServiceExtensions
{
    /// <summary>The OpenAI-compatible serving: the model catalog, the serving thread with its counters, usage in the audit log.</summary>
    public static IServiceCollection AddServing(this IServiceCollection services)
    {
        services.AddSingleton<ServedModelCatalog>();
        services.AddSingleton<ServingStats>();
        services.AddSingleton<ServingScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<ServingScheduler>());
        services.AddSingleton<ServingUsage>();
        services.AddSingleton<CompletionResponder>();
        return services;
    }
}
