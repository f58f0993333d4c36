using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Web.Accounts;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using LoraLab.Web.Training;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Adapters;

/// <summary>
/// The adapters: registered when their run completes (owned by the run's owner) or when a user imports or combines
/// them (owned by that user), listed, zipped for download, deleted with their folder. Everyone reads every adapter;
/// only its owner and admins delete it.
/// </summary>
public sealed class AdapterStore(IDbContextFactory<LoraLabDbContext> dbFactory, Quotas quotas, TimeProvider clock, DataFolder data)
{
    DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<IReadOnlyList<AdapterSummary>> ListAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var adapters = await db.Adapters.AsNoTracking().Include(a => a.BaseModel).Include(a => a.OwnerUser).OrderByDescending(a => a.Id).ToListAsync(cancellation);
        return adapters.Select(ToSummary).ToList();
    }

    public async Task<AdapterSummary?> FindAsync(int adapterId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var adapter = await db.Adapters.AsNoTracking().Include(a => a.BaseModel).Include(a => a.OwnerUser).FirstOrDefaultAsync(a => a.Id == adapterId, cancellation);
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
        var owner = await db.Runs.Where(r => r.Id == run.RunId).Select(r => new { r.BaseModelId, r.Owner }).FirstAsync(cancellation);
        var adapter = await db.Adapters.FirstOrDefaultAsync(a => a.Folder == run.AdapterFolder, cancellation);
        if (adapter is null)
        {
            adapter = new Adapter
            {
                Name = run.RunName, Method = run.TrainingSettings.Method.Method, Folder = run.AdapterFolder, CreatedAt = Now, Owner = owner.Owner,
            };
            db.Adapters.Add(adapter);
        }
        adapter.RunId = run.RunId;
        adapter.BaseModelId = owner.BaseModelId;
        adapter.Rank = config?.Rank;
        adapter.TargetModules = config?.TargetModules;
        adapter.SizeBytes = DataFiles.FolderSize(run.AdapterFolder);
        adapter.MetricsJson = JsonSerializer.Serialize(outcome, JsonSerializerOptions.Web);
        await db.SaveChangesAsync(cancellation);
        return await FindAsync(adapter.Id, cancellation);
    }

    /// <summary>
    /// Registers the adapter folder <paramref name="staged"/> (checked already) on base <paramref name="baseModelId"/>,
    /// owned by <paramref name="caller"/> and audited as <paramref name="action"/>, and moves it to
    /// <paramref name="folderOf"/>(its new id), so that folder names follow record ids. Refused when its bytes do not
    /// fit in what is left of the caller's storage quota. A folder already there, which no record refers to (a database
    /// restored from an older backup), is never replaced: the record is withdrawn and the conflict reported.
    /// </summary>
    public async Task<Result<AdapterSummary>> AddAsync(
        string staged, string name, int baseModelId, string origin, Func<int, string> folderOf, Caller caller, AuditAction action,
        CancellationToken cancellation = default)
    {
        var config = AdapterConfigFile.Read(staged) ?? throw new InvalidOperationException($"{staged} has no readable adapter_config.json.");
        long size = DataFiles.FolderSize(staged);
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        if (await quotas.CheckStorageAsync(db, caller, size, cancellation) is { } full) return full;
        var adapter = new Adapter
        {
            Name = name, Method = config.Method, BaseModelId = baseModelId, Rank = config.Rank, TargetModules = config.TargetModules,
            Folder = staged, SizeBytes = size, Origin = origin, CreatedAt = Now, Owner = caller.UserId,
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
        db.AuditEntries.Add(AuditLog.Entry(caller, action, Subject(adapter.Id, adapter.Name), Now));
        await db.SaveChangesAsync(CancellationToken.None);
        return (await FindAsync(adapter.Id, CancellationToken.None))!;
    }

    /// <summary>Deletes the adapter's record, its folder and its GGUF exports; its owner and admins only.</summary>
    public async Task<Result<AdapterSummary>> DeleteAsync(int adapterId, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var adapter = await db.Adapters.Include(a => a.BaseModel).Include(a => a.OwnerUser).FirstOrDefaultAsync(a => a.Id == adapterId, cancellation);
        if (adapter is null) return Failure.NotFound("Adapter", adapterId);
        if (!caller.CanChange(adapter.Owner))
            return Failure.Forbidden("The adapter is not yours",
                $"Adapter {adapterId} ('{adapter.Name}') belongs to '{adapter.OwnerUser.UserName}'; only they and admins can delete it.");
        db.Adapters.Remove(adapter);
        db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.AdapterDeleted, Subject(adapter.Id, adapter.Name), Now));
        await db.SaveChangesAsync(cancellation);
        DataFiles.Delete(adapter.Folder);
        DataFiles.Delete(data.ExportsOfAdapter(adapterId));
        return ToSummary(adapter);
    }

    /// <summary>
    /// The adapter folder as a zip with the files at its root (adapter_config.json, adapter_model.safetensors, ...),
    /// as PEFT's from_pretrained expects once unpacked.
    /// </summary>
    public static Task<Stream> OpenZipAsync(AdapterSummary adapter, CancellationToken cancellation = default) =>
        FolderZip.OpenAsync(adapter.Folder, cancellation);

    public static string Subject(int adapterId, string name) => $"adapter {adapterId} '{name}'";

    static AdapterSummary ToSummary(Adapter a) => new(
        a.Id, a.Name, a.RunId, a.BaseModelId, a.BaseModel.Name, a.Method, a.Rank, ParseOrNull(a.TargetModules), a.Folder,
        a.SizeBytes, a.CreatedAt, ParseOrNull(a.MetricsJson), a.Owner, a.OwnerUser.UserName ?? a.Owner, a.Origin);

    static JsonNode? ParseOrNull(string? json) => json is null ? null : JsonNode.Parse(json);
}
