using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Adapters;

/// <summary>The adapters: registered when their run completes or when imported or combined, listed, zipped for download, deleted with their folder.</summary>
public sealed class AdapterStore(IDbContextFactory<LoraLabDbContext> dbFactory, TimeProvider clock)
{
    public async Task<IReadOnlyList<AdapterSummary>> ListAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var adapters = await db.Adapters.AsNoTracking().Include(a => a.BaseModel).OrderByDescending(a => a.Id).ToListAsync(cancellation);
        return adapters.Select(ToSummary).ToList();
    }

    public async Task<AdapterSummary?> FindAsync(int adapterId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var adapter = await db.Adapters.AsNoTracking().Include(a => a.BaseModel).FirstOrDefaultAsync(a => a.Id == adapterId, cancellation);
        return adapter is null ? null : ToSummary(adapter);
    }

    /// <summary>
    /// Registers the adapter a completed run wrote to <see cref="RunRequest.AdapterFolder"/>, reading rank and target
    /// modules from its adapter_config.json; null when the run wrote no adapter_config.json there.
    /// </summary>
    public async Task<AdapterSummary?> RegisterRunAdapterAsync(RunRequest run, RunOutcome outcome, CancellationToken cancellation = default)
    {
        if (!File.Exists(Path.Combine(run.AdapterFolder, "adapter_config.json"))) return null;
        var config = AdapterConfigFile.Read(run.AdapterFolder);

        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var adapter = await db.Adapters.FirstOrDefaultAsync(a => a.Folder == run.AdapterFolder, cancellation);
        if (adapter is null)
        {
            adapter = new Adapter { Name = run.RunName, Method = run.MethodKind, Folder = run.AdapterFolder, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.Adapters.Add(adapter);
        }
        adapter.RunId = run.RunId;
        adapter.BaseModelId = await db.Runs.Where(r => r.Id == run.RunId).Select(r => r.BaseModelId).FirstAsync(cancellation);
        adapter.Rank = config?.Rank;
        adapter.TargetModules = config?.TargetModules;
        adapter.SizeBytes = DataFiles.FolderSize(run.AdapterFolder);
        adapter.MetricsJson = JsonSerializer.Serialize(outcome, JsonSerializerOptions.Web);
        await db.SaveChangesAsync(cancellation);
        return await FindAsync(adapter.Id, cancellation);
    }

    /// <summary>
    /// Registers the adapter folder <paramref name="staged"/> (checked already) on base <paramref name="baseModelId"/>
    /// and moves it to <paramref name="folderOf"/>(its new id), so that folder names follow record ids. A folder already
    /// there, which no record refers to (a database restored from an older backup), is never replaced: the record is
    /// withdrawn and the conflict reported.
    /// </summary>
    public async Task<Result<AdapterSummary>> AddAsync(string staged, string name, int baseModelId, string origin, Func<int, string> folderOf, CancellationToken cancellation = default)
    {
        var config = AdapterConfigFile.Read(staged) ?? throw new InvalidOperationException($"{staged} has no readable adapter_config.json.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var adapter = new Adapter
        {
            Name = name, Method = config.Method, BaseModelId = baseModelId, Rank = config.Rank, TargetModules = config.TargetModules,
            Folder = staged, SizeBytes = DataFiles.FolderSize(staged), Origin = origin, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Adapters.Add(adapter);
        await db.SaveChangesAsync(cancellation);
        string folder = folderOf(adapter.Id);
        try
        {
            Directory.Move(staged, folder);
        }
        catch (IOException) when (Directory.Exists(folder) || File.Exists(folder))
        {
            await db.Adapters.Where(a => a.Id == adapter.Id).ExecuteDeleteAsync(CancellationToken.None);
            return Failure.Conflict("A folder is in the way",
                $"{folder} already exists and no adapter record refers to it; move it out of the data folder and try again.");
        }
        adapter.Folder = folder;
        await db.SaveChangesAsync(CancellationToken.None);
        return (await FindAsync(adapter.Id, CancellationToken.None))!;
    }

    /// <summary>Deletes the adapter's record and its folder.</summary>
    public async Task<Result<AdapterSummary>> DeleteAsync(int adapterId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var adapter = await db.Adapters.Include(a => a.BaseModel).FirstOrDefaultAsync(a => a.Id == adapterId, cancellation);
        if (adapter is null) return Failure.NotFound("Adapter", adapterId);
        db.Adapters.Remove(adapter);
        await db.SaveChangesAsync(cancellation);
        DataFiles.Delete(adapter.Folder);
        return ToSummary(adapter);
    }

    /// <summary>
    /// The adapter folder as a zip with the files at its root (adapter_config.json, adapter_model.safetensors, ...),
    /// as PEFT's from_pretrained expects once unpacked.
    /// </summary>
    public static Task<Stream> OpenZipAsync(AdapterSummary adapter, CancellationToken cancellation = default) =>
        FolderZip.OpenAsync(adapter.Folder, cancellation);

    static AdapterSummary ToSummary(Adapter a) => new(
        a.Id, a.Name, a.RunId, a.BaseModelId, a.BaseModel.Name, a.Method, a.Rank, ParseOrNull(a.TargetModules), a.Folder,
        a.SizeBytes, a.CreatedAt, ParseOrNull(a.MetricsJson), a.Origin);

    static JsonNode? ParseOrNull(string? json) => json is null ? null : JsonNode.Parse(json);
}
