using LoraLab.Web.Data;
using LoraLab.Web.Devices;
using LoraLab.Web.Playground;
using LoraLab.Web.Tests.Devices;
using LoraLab.Web.Training;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Tests;

/// <summary>
/// The whole app in memory on a data folder the test owns (so a second factory can restart on it), with the test's
/// run executor instead of the engine's (none: queued runs wait), devices whose memory is not measured, and extra
/// LoraLab settings. Judge endpoints (any host) reach this studio's own OpenAI API, since the in-memory server has no port.
/// </summary>
public sealed class StudioAppFactory(TempDataFolder data, IRunExecutor? executor = null, params (string Key, string Value)[] settings)
    : WebApplicationFactory<Program>
{
    public TempDataFolder Data => data;

    /// <summary>Where the server keeps adapter <paramref name="id"/>'s files, which the API does not tell members.</summary>
    public Task<string> AdapterFolderAsync(int id) => ReadAsync(db => db.Adapters.Where(a => a.Id == id).Select(a => a.Folder));

    /// <summary>Where the server keeps dataset <paramref name="id"/>'s file, which the API does not tell members.</summary>
    public Task<string> DatasetFileAsync(int id) => ReadAsync(db => db.Datasets.Where(d => d.Id == id).Select(d => d.FilePath));

    /// <summary>Where the server keeps model <paramref name="id"/>'s folder, which the API does not tell members.</summary>
    public Task<string> ModelFolderAsync(int id) => ReadAsync(db => db.BaseModels.Where(m => m.Id == id).Select(m => m.Folder));

    async Task<string> ReadAsync(Func<LoraLabDbContext, IQueryable<string>> query)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<LoraLabDbContext>>().CreateDbContextAsync();
        return await query(db).SingleAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("LoraLab:DataPath", data.Path).UseSetting("LoraLab:Device", "cpu").UseSetting("LoraLab:RegisterDemo", "false");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<IRunExecutor>();
            if (executor is not null) services.AddSingleton(executor);
            // Placement must not depend on how much memory the test machine has free; device tests bring their own readings.
            services.RemoveAll<IDeviceMemoryProbe>();
            services.AddSingleton<IDeviceMemoryProbe>(new FakeDeviceMemory());
            services.AddHttpClient(PlaygroundJudge.EndpointHttpClient).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler());
        });
    }
}
