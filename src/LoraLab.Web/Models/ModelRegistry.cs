using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Models;

/// <summary>
/// The base models the studio can fine-tune, kept as BaseModel records: every sub-folder of {DataPath}/models that
/// holds a config.json, every folder listed in LoraLab:ModelFolders, and LoraLab:DemoModelPath when that folder exists.
/// <see cref="SyncAsync"/> reads the folders again, so a model copied in while the app runs appears on the next sync.
/// </summary>
public sealed class ModelRegistry(IDbContextFactory<LoraLabDbContext> dbFactory, DataFolder data, IOptions<LoraLabOptions> options, TimeProvider clock)
{
    readonly SemaphoreSlim _sync = new(1, 1);

    public string ModelsFolder => data.Models;

    /// <summary>Registers new folders, refreshes known ones (a folder that disappeared keeps its record with an error), and lists them all.</summary>
    public async Task<IReadOnlyList<RegisteredModel>> SyncAsync(CancellationToken cancellation = default)
    {
        var scans = Scan();
        await _sync.WaitAsync(cancellation);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellation);
            var records = await db.BaseModels.ToDictionaryAsync(m => m.Folder, StringComparer.Ordinal, cancellation);
            foreach (var scan in scans)
            {
                if (!records.TryGetValue(scan.Folder, out var record))
                {
                    record = new BaseModel { Name = scan.Name, Folder = scan.Folder, Source = scan.Source, CreatedAt = clock.GetUtcNow().UtcDateTime };
                    db.BaseModels.Add(record);
                    records.Add(scan.Folder, record);
                }
                // A hub download is a folder under models/ too; the scan must not forget where it came from.
                if (scan.Source == ModelSource.Demo) record.Source = ModelSource.Demo;
                Apply(scan, record);
            }
            var scanned = scans.Select(s => s.Folder).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in records.Values.Where(r => !scanned.Contains(r.Folder) && !Directory.Exists(r.Folder)))
            {
                gone.Error = $"{gone.Folder} no longer exists.";
                gone.ConfigJson = null;
            }
            await db.SaveChangesAsync(cancellation);
            return Order(records.Values);
        }
        finally
        {
            _sync.Release();
        }
    }

    public async Task<IReadOnlyList<RegisteredModel>> ListAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return Order(await db.BaseModels.AsNoTracking().ToListAsync(cancellation));
    }

    public async Task<RegisteredModel?> FindAsync(int id, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await db.BaseModels.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellation) is { } model ? ToRegistered(model) : null;
    }

    List<ModelFolderScan> Scan()
    {
        var folders = ModelFoldersUnder(data.Models).Select(f => (Folder: f, Source: ModelSource.Local))
            // Configured folders are listed even without a config.json: the user named them, so say what is wrong.
            .Concat(options.Value.ModelFolders.Select(f => (Folder: FullPath(f), Source: ModelSource.Local)));
        if (options.Value.DemoModelPath is { } demo && Directory.Exists(demo))
            folders = folders.Append((FullPath(demo), ModelSource.Demo));
        return folders
            .GroupBy(f => f.Folder, StringComparer.Ordinal)
            .Select(g => ModelFolderScan.Read(g.Key, g.Any(f => f.Source == ModelSource.Demo) ? ModelSource.Demo : ModelSource.Local))
            .ToList();
    }

    static IEnumerable<string> ModelFoldersUnder(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateDirectories(root).Where(folder => File.Exists(Path.Combine(folder, "config.json")))
            : [];

    static string FullPath(string folder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));

    static void Apply(ModelFolderScan scan, BaseModel record)
    {
        record.Name = scan.Name;
        record.ConfigJson = scan.ConfigJson;
        record.Error = scan.Error;
        record.Architecture = scan.Config?.Architecture;
        record.ParameterCount = scan.Config?.ParameterCount();
        record.DType = scan.Config?.TorchDType;
        record.ContextLength = scan.Config?.MaxPositionEmbeddings;
    }

    static List<RegisteredModel> Order(IEnumerable<BaseModel> models) =>
        models.Select(ToRegistered)
            .OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.Folder, StringComparer.Ordinal)
            .ToList();

    static RegisteredModel ToRegistered(BaseModel model) =>
        new(model.Id, model.Name, model.Folder, model.Source, ModelFolderScan.Parse(model), model.Error);
}
