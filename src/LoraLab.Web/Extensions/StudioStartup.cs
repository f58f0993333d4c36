using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Models;
using LoraLab.Web.Storage;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Extensions;

public static class StudioStartup
{
    /// <summary>
    /// Brings the data folder up to date before the training workers start: creates its folders, applies the
    /// database migrations, marks the runs a previous process left running as Interrupted (and queues them again with
    /// LoraLab:AutoResumeInterrupted), registers the model folders (and the demo's datasets and adapters), and reports
    /// files that no record refers to.
    /// </summary>
    public static async Task PrepareStudioAsync(this WebApplication app)
    {
        var services = app.Services;
        var data = services.GetRequiredService<DataFolder>();
        data.Create();

        await using (var db = await services.GetRequiredService<IDbContextFactory<LoraLabDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            await db.Database.ExecuteSqlRawAsync(SqliteDurability.JournalMode);
        }

        var queue = services.GetRequiredService<RunQueue>();
        var interrupted = await queue.MarkInterruptedAsync();
        if (interrupted.Count > 0)
            app.Logger.LogWarning("Runs {Runs} were running when the studio stopped; they are marked Interrupted.", string.Join(", ", interrupted));
        if (services.GetRequiredService<IOptions<LoraLabOptions>>().Value.AutoResumeInterrupted)
        {
            var resumed = await queue.ResumeInterruptedAsync();
            if (resumed.Count > 0) app.Logger.LogInformation("Interrupted runs {Runs} are queued again (LoraLab:AutoResumeInterrupted).", string.Join(", ", resumed));
        }

        var models = await services.GetRequiredService<ModelRegistry>().SyncAsync();
        app.Logger.LogInformation("{Count} base model(s) registered.", models.Count);
        await RegisterDemoDatasetsAsync(app);
        foreach (var demoAdapter in await services.GetRequiredService<Adapters.DemoAdapters>().RegisterAsync())
        {
            if (demoAdapter.Failure is { } failure) app.Logger.LogWarning("A demo adapter was not registered: {Detail}", failure.Detail);
            else app.Logger.LogInformation("Demo adapter {Adapter} registered.", demoAdapter.Value!.Name);
        }

        var unreferenced = await services.GetRequiredService<UnreferencedFiles>().FindAsync();
        if (unreferenced.Count > 0)
            app.Logger.LogWarning("{Count} path(s) in {DataPath} belong to no record and can be deleted: {Paths}",
                unreferenced.Count, data.Root, string.Join(", ", unreferenced));
    }

    /// <summary>
    /// Each demo task file becomes a dataset once, shared with every user and owned by the local account; a user who
    /// deletes one keeps it deleted until the data folder is new.
    /// </summary>
    static async Task RegisterDemoDatasetsAsync(WebApplication app)
    {
        string? folder = app.Services.GetRequiredService<IOptions<LoraLabOptions>>().Value.DemoDatasetsFolder;
        if (folder is null || !Directory.Exists(folder)) return;
        var store = app.Services.GetRequiredService<Datasets.DatasetStore>();
        string marker = Path.Combine(app.Services.GetRequiredService<DataFolder>().Root, ".demo-datasets-registered");
        if (File.Exists(marker)) return;
        foreach (string file in Directory.EnumerateFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            await using var content = File.OpenRead(file);
            var added = await store.AddAsync(Path.GetFileName(file), "demo " + Path.GetFileNameWithoutExtension(file), content, Caller.Local, shared: true);
            if (added.Failure is { } failure) app.Logger.LogWarning("Demo dataset {File} was not registered: {Detail}", file, failure.Detail);
        }
        await File.WriteAllTextAsync(marker, DateTime.UtcNow.ToString("O"));
        app.Logger.LogInformation("Demo datasets from {Folder} registered.", folder);
    }
}
