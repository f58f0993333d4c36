using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Models;

/// <summary>
/// The base models the studio can fine-tune, kept as BaseModel records: every sub-folder of {DataPath}/models that
/// holds a config.json, every folder listed in LoraLab:ModelFolders, and the demo model folder when it exists.
/// <see cref="SyncAsync"/> reads the folders again, so a model copied in while the app runs appears on the next sync.
/// </summary>
public sealed class ModelRegistry(IDbContextFactory<LoraLabDbContext> dbFactory, DataFolder data, IOptions<LoraLabOptions> options, TimeProvider clock)
{
    readonly SemaphoreSlim _sync = new(1, 1);

    /// <summary>Why a member may not register or delete a model: the base models are the team's, and a folder path names files on the host.</summary>
    public static readonly Failure AdminsOnly = Failure.Forbidden("Admins only", "Only admins register or delete base models.");

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

    /// <summary>
    /// Registers a Hugging Face model folder anywhere on this host. A folder whose config.json the engine cannot use is
    /// refused with the reason, under the field "folder".
    /// </summary>
    public async Task<Result<RegisteredModel>> RegisterFolderAsync(string? folder, CancellationToken cancellation = default)
    {
        if (string.IsNullOrWhiteSpace(folder)) return Failure.InvalidField("folder", "Give the path of a model folder.");
        string full = FullPath(folder.Trim());
        if (!Directory.Exists(full)) return Failure.InvalidField("folder", $"{full} does not exist or is not a folder.");
        var scan = ModelFolderScan.Read(full, ModelSource.Local);
        if (scan.Error is { } error) return Failure.InvalidField("folder", error);

        await _sync.WaitAsync(cancellation);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellation);
            if (await db.BaseModels.FirstOrDefaultAsync(m => m.Folder == full, cancellation) is { } known)
                return Failure.Conflict("The model is already registered", $"{full} is registered as '{known.Name}' (id {known.Id}).");
            var record = new BaseModel { Name = scan.Name, Folder = full, Source = ModelSource.Local, CreatedAt = clock.GetUtcNow().UtcDateTime };
            Apply(scan, record);
            db.BaseModels.Add(record);
            await db.SaveChangesAsync(cancellation);
            return ToRegistered(record);
        }
        finally
        {
            _sync.Release();
        }
    }

    /// <summary>
    /// Registers a folder the studio downloaded from the Hub into {DataPath}/models as a Hub model; a sync that saw
    /// the folder first registered it as local, so an existing record is taken over rather than refused.
    /// </summary>
    public async Task<Result<RegisteredModel>> RegisterDownloadAsync(string folder, CancellationToken cancellation = default)
    {
        string full = FullPath(folder);
        var scan = ModelFolderScan.Read(full, ModelSource.Hub);
        if (scan.Error is { } error) return Failure.InvalidField("folder", error);

        await _sync.WaitAsync(cancellation);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellation);
            var record = await db.BaseModels.FirstOrDefaultAsync(m => m.Folder == full, cancellation);
            if (record is null)
            {
                record = new BaseModel { Name = scan.Name, Folder = full, CreatedAt = clock.GetUtcNow().UtcDateTime };
                db.BaseModels.Add(record);
            }
            record.Source = ModelSource.Hub;
            Apply(scan, record);
            await db.SaveChangesAsync(cancellation);
            return ToRegistered(record);
        }
        finally
        {
            _sync.Release();
        }
    }

    /// <summary>
    /// Moves a merged model from <paramref name="staged"/> to <paramref name="target"/> under {DataPath}/models and
    /// registers it as <paramref name="owner"/>'s, whose quota counts its <paramref name="sizeBytes"/>. Both happen
    /// under the sync lock, so a concurrent sync cannot register the folder first as one of the team's.
    /// </summary>
    public async Task<Result<RegisteredModel>> RegisterMergedAsync(string staged, string target, string owner, long sizeBytes, CancellationToken cancellation = default)
    {
        string full = FullPath(target);
        await _sync.WaitAsync(cancellation);
        try
        {
            if (Path.Exists(full)) return Failure.InvalidField("name", $"{full} appeared while merging; choose another name.");
            Directory.CreateDirectory(data.Models);
            Directory.Move(staged, full);
            var scan = ModelFolderScan.Read(full, ModelSource.Local);
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var record = new BaseModel
            {
                Name = scan.Name, Folder = full, Source = ModelSource.Local, CreatedAt = clock.GetUtcNow().UtcDateTime, Owner = owner, SizeBytes = sizeBytes,
            };
            Apply(scan, record);
            db.BaseModels.Add(record);
            await db.SaveChangesAsync(CancellationToken.None);
            return ToRegistered(record);
        }
        finally
        {
            _sync.Release();
        }
    }

    /// <summary>Whether deleting the model deletes its folder: only folders inside {DataPath}/models are the studio's to delete.</summary>
    public bool OwnsFolder(RegisteredModel model) =>
        model.Folder.StartsWith(data.Models + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// Deletes the record, and the folder when <see cref="OwnsFolder"/>; refused while runs or adapters refer to the
    /// model. A folder of LoraLab:ModelFolders is registered again by the next sync. Admins only, as the base models
    /// are the team's; the deletion is audited.
    /// </summary>
    public async Task<Result<RegisteredModel>> DeleteAsync(int id, Caller caller, CancellationToken cancellation = default)
    {
        if (!caller.IsAdmin) return AdminsOnly;
        await _sync.WaitAsync(cancellation);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellation);
            var record = await db.BaseModels.FirstOrDefaultAsync(m => m.Id == id, cancellation);
            if (record is null) return Failure.NotFound("Model", id);
            var runs = await db.Runs.Where(r => r.BaseModelId == id).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellation);
            var adapters = await db.Adapters.Where(a => a.BaseModelId == id).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(cancellation);
            if (runs.Count + adapters.Count > 0)
            {
                var users = new List<string>();
                if (runs.Count > 0) users.Add($"run(s) {string.Join(", ", runs)}");
                if (adapters.Count > 0) users.Add($"adapter(s) {string.Join(", ", adapters)}");
                return Failure.Conflict("The model is in use", $"Model {id} ('{record.Name}') is the base of {string.Join(" and ", users)}; delete them first.");
            }
            var model = ToRegistered(record);
            db.BaseModels.Remove(record);
            db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.ModelDeleted, $"model {id} '{record.Name}'", clock.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync(cancellation);
            if (OwnsFolder(model)) DataFiles.Delete(model.Folder);
            return model;
        }
        finally
        {
            _sync.Release();
        }
    }

    List<ModelFolderScan> Scan()
    {
        var folders = ModelFoldersUnder(data.Models).Select(f => (Folder: f, Source: ModelSource.Local))
            // Configured folders are listed even without a config.json: the user named them, so say what is wrong.
            .Concat(options.Value.ModelFolders.Select(f => (Folder: FullPath(f), Source: ModelSource.Local)));
        if (options.Value.DemoModelFolder is { } demo && Directory.Exists(demo))
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
        new(model.Id, model.Name, model.Folder, model.Source, ModelFolderScan.Parse(model), model.Error, model.Owner);
}
