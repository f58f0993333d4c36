using System.Text.Json.Serialization;
using LoraLab.Engine.Devices;
using LoraLab.Web.Adapters;
using LoraLab.Web.Apis;
using LoraLab.Web.Data;
using LoraLab.Web.Datasets;
using LoraLab.Web.Devices;
using LoraLab.Web.Diagnostics;
using LoraLab.Web.Evaluations;
using LoraLab.Web.Hubs;
using LoraLab.Web.Models;
using LoraLab.Web.Playground;
using LoraLab.Web.Slurm;
using LoraLab.Web.Storage;
using LoraLab.Web.Sweeps;
using LoraLab.Web.Training;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
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
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IDeviceMemoryProbe, SystemDeviceMemory>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LoraLabOptions>>().Value;
            // On Slurm the studio's slots are the jobs it keeps submitted; the cluster places them.
            int runsPerDevice = options.Executor == "slurm" ? sp.GetRequiredService<IOptions<SlurmOptions>>().Value.MaxJobs : options.TrainingConcurrency;
            return new TrainingDevices(ComputeDevice.SelectAll(options.Device), sp.GetRequiredService<IDeviceMemoryProbe>(), runsPerDevice);
        });
        // The first device serves the short engine jobs that are not runs (adapter import checks, merges, combinations);
        // the playground, whose model stays loaded, picks the device with the most room (TrainingDevices.Roomiest).
        builder.Services.AddSingleton(sp => sp.GetRequiredService<TrainingDevices>().Devices[0]);
        builder.Services.AddSingleton<DeviceMemory>();
        builder.Services.AddStudioData();
        builder.Services.AddAdapterLibrary();
        builder.Services.AddTraining();
        builder.Services.AddSweeps();
        builder.Services.AddHubDownloads();
        builder.Services.AddStudioApis();
        builder.Services.AddStudioAccounts();
        builder.Services.AddPlayground();
        builder.Services.AddEvaluations();
        builder.Services.AddServing();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        return builder;
    }

    /// <summary>The SQLite database in {DataPath}/loralab.db and the stores built on it.</summary>
    public static IServiceCollection AddStudioData(this IServiceCollection services)
    {
        services.AddSingleton<DataFolder>();
        services.AddDbContextFactory<LoraLabDbContext>((sp, options) =>
            options.UseSqlite(new SqliteConnectionStringBuilder { DataSource = sp.GetRequiredService<DataFolder>().Database }.ToString())
                .AddInterceptors(SqliteDurability.Instance));
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<DatasetStore>();
        services.AddSingleton<DatasetInspector>();
        services.AddSingleton<AdapterStore>();
        services.AddSingleton<DemoAdapters>();
        services.AddSingleton<PlaygroundSessionStore>();
        services.AddSingleton<UnreferencedFiles>();
        return services;
    }

    /// <summary>Importing, merging, combining and analysing adapters; the engine work runs one job at a time.</summary>
    public static IServiceCollection AddAdapterLibrary(this IServiceCollection services)
    {
        services.AddSingleton<AdapterWork>();
        services.AddSingleton<AdapterImporter>();
        services.AddSingleton<AdapterMerger>();
        services.AddSingleton<GgufExports>();

        services.AddSingleton<AdapterCombiner>();
        services.AddSingleton<AdapterSpectra>();
        return services;
    }

    /// <summary>The run queue, the training workers, the notifier and its SignalR relay. The executor is the engine's in-process one, or Slurm's (LoraLab:Executor).</summary>
    public static IServiceCollection AddTraining(this IServiceCollection services)
    {
        services.AddSingleton<TrainingNotifier>();
        services.AddSingleton<RunQueue>();
        services.AddSingleton<RunReader>();
        services.AddSingleton<EngineRunExecutor>();
        services.AddSlurmExecutor();
        services.AddSingleton<IRunExecutor>(sp => sp.GetRequiredService<IOptions<LoraLabOptions>>().Value.Executor == "slurm"
            ? sp.GetRequiredService<SlurmRunExecutor>()
            : sp.GetRequiredService<EngineRunExecutor>());
        services.AddHostedService<TrainingService>();
        services.AddSingleton<TrainingHubSubscriptions>();
        services.AddHostedService<TrainingHubRelay>();
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return services;
    }

    /// <summary>Sweeps: groups of runs over a few settings' values, queued through the run queue and ranked by a metric.</summary>
    public static IServiceCollection AddSweeps(this IServiceCollection services)
    {
        services.AddSingleton<SweepReader>();
        services.AddSingleton<SweepService>();
        return services;
    }

    /// <summary>Runs as Slurm jobs (LoraLab:Executor = slurm): the settings, their start-up check and the reattachment to the jobs a previous process left running (both before any run is taken), the client and the executor.</summary>
    public static IServiceCollection AddSlurmExecutor(this IServiceCollection services)
    {
        services.AddOptions<SlurmOptions>().BindConfiguration(SlurmOptions.Section);
        services.AddSingleton(new SlurmClient());
        services.AddSingleton<SlurmRunExecutor>();
        services.AddSingleton<IClusterStatusReader, ClusterStatusReader>();
        services.AddHostedService<SlurmStartupCheck>();
        services.AddHostedService<SlurmReattach>();
        return services;
    }

    /// <summary>The playground's model host (one base model in memory), its generators, and the blind votes.</summary>
    public static IServiceCollection AddPlayground(this IServiceCollection services)
    {
        services.AddSingleton<PlaygroundModelHost>();
        services.AddSingleton<PlaygroundGenerator>();
        services.AddSingleton<PromptSetEvaluator>();
        services.AddSingleton<PlaygroundVoteStore>();
        services.AddSingleton<PlaygroundJudge>();
        services.AddHttpClient(PlaygroundJudge.EndpointHttpClient, http => http.Timeout = TimeSpan.FromMinutes(3));
        return services;
    }

    /// <summary>Generation metrics of adapters and their base models on datasets, answered by evaluation runs of the run queue.</summary>
    public static IServiceCollection AddEvaluations(this IServiceCollection services)
    {
        services.AddSingleton<EvaluationStore>();
        services.AddSingleton<Evaluator>();
        services.AddSingleton<EvaluationRunExecutor>();
        return services;
    }

    /// <summary>ProblemDetails for every API error, and enums as strings in JSON.</summary>
    public static IServiceCollection AddStudioApis(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiProblems.BadRequestHandler>();
        // Unreadable requests throw, so BadRequestHandler can say what was wrong with them.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return services;
    }
}
