using LoraLab.Engine.Peft;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Adapters;

/// <summary>
/// The bundled demo adapters ({DemoAdaptersPath}/{task}/, PEFT layout), imported into the library on the demo model
/// once per data folder, so the playground has adapters to compare before any training. They belong to the local
/// account, so every user reads them and only admins delete them.
/// </summary>
public sealed class DemoAdapters(IDbContextFactory<LoraLabDbContext> dbFactory, AdapterImporter importer, DataFolder data, IOptions<LoraLabOptions> options)
{
    string Marker => Path.Combine(data.Root, ".demo-adapters-registered");

    /// <summary>
    /// Imports every demo adapter folder once, named "demo {task}"; a user who deletes one keeps it deleted. Nothing
    /// happens, and nothing is remembered, while there is no demo model or no adapter folder to import.
    /// </summary>
    /// <returns>Each folder's import: the adapter, or why it was not imported.</returns>
    public async Task<IReadOnlyList<Result<AdapterSummary>>> RegisterAsync(CancellationToken cancellation = default)
    {
        if (options.Value.DemoAdaptersFolder is not { } source || !Directory.Exists(source) || File.Exists(Marker)) return [];
        var tasks = Directory.EnumerateDirectories(source).Where(d => File.Exists(Path.Combine(d, AdapterFolder.ConfigFile))).Order(StringComparer.Ordinal).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        int? demoModel = await db.BaseModels.Where(m => m.Source == ModelSource.Demo && m.Error == null).OrderBy(m => m.Id).Select(m => (int?)m.Id).FirstOrDefaultAsync(cancellation);
        if (demoModel is null || tasks.Count == 0) return [];

        var imported = new List<Result<AdapterSummary>>();
        foreach (string task in tasks)
            imported.Add(await importer.ImportFolderAsync(task, new AdapterImportOptions("demo " + Path.GetFileName(task), demoModel), Caller.Local, cancellation: cancellation));
        await File.WriteAllTextAsync(Marker, DateTime.UtcNow.ToString("O"), cancellation);
        return imported;
    }
}
