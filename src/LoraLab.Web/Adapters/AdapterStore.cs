using System.IO.Compression;
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
/// The trained adapters: registered when their run completes (owned by the run's owner), listed, zipped for download,
/// deleted with their folder. Everyone reads every adapter; only its owner and admins delete it.
/// </summary>
public sealed class AdapterStore(IDbContextFactory<LoraLabDbContext> dbFactory, TimeProvider clock)
{
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
        string configPath = Path.Combine(run.AdapterFolder, "adapter_config.json");
        if (!File.Exists(configPath)) return null;
        var config = ReadConfig(configPath);

        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var owner = await db.Runs.Where(r => r.Id == run.RunId).Select(r => new { r.BaseModelId, r.Owner }).FirstAsync(cancellation);
        var adapter = await db.Adapters.FirstOrDefaultAsync(a => a.Folder == run.AdapterFolder, cancellation);
        if (adapter is null)
        {
            adapter = new Adapter
            {
                Name = run.RunName, Method = run.MethodKind, Folder = run.AdapterFolder, CreatedAt = clock.GetUtcNow().UtcDateTime, Owner = owner.Owner,
            };
            db.Adapters.Add(adapter);
        }
        adapter.RunId = run.RunId;
        adapter.BaseModelId = owner.BaseModelId;
        adapter.Rank = config?["r"] is JsonValue r && r.TryGetValue(out int rank) ? rank : null;
        adapter.TargetModules = config?["target_modules"]?.ToJsonString();
        adapter.SizeBytes = DataFiles.FolderSize(run.AdapterFolder);
        adapter.MetricsJson = JsonSerializer.Serialize(outcome, JsonSerializerOptions.Web);
        await db.SaveChangesAsync(cancellation);
        return await FindAsync(adapter.Id, cancellation);
    }

    /// <summary>Deletes the adapter's record and its folder; its owner and admins only.</summary>
    public async Task<Result<AdapterSummary>> DeleteAsync(int adapterId, Caller caller, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var adapter = await db.Adapters.Include(a => a.BaseModel).Include(a => a.OwnerUser).FirstOrDefaultAsync(a => a.Id == adapterId, cancellation);
        if (adapter is null) return Failure.NotFound("Adapter", adapterId);
        if (!caller.CanChange(adapter.Owner))
            return Failure.Forbidden("The adapter is not yours",
                $"Adapter {adapterId} ('{adapter.Name}') belongs to '{adapter.OwnerUser.UserName}'; only they and admins can delete it.");
        db.Adapters.Remove(adapter);
        db.AuditEntries.Add(AuditLog.Entry(caller, AuditAction.AdapterDeleted, Subject(adapter.Id, adapter.Name), clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(cancellation);
        DataFiles.Delete(adapter.Folder);
        return ToSummary(adapter);
    }

    /// <summary>
    /// The adapter folder as a zip with the files at its root (adapter_config.json, adapter_model.safetensors, ...),
    /// as PEFT's from_pretrained expects once unpacked. The zip is built in a temporary file deleted when the stream closes.
    /// </summary>
    public static async Task<Stream> OpenZipAsync(AdapterSummary adapter, CancellationToken cancellation = default)
    {
        string zip = Path.Combine(Path.GetTempPath(), $"loralab-adapter-{adapter.Id}-{Guid.NewGuid():N}.zip");
        try
        {
            // Safetensors weights barely compress: favour speed.
            await ZipFile.CreateFromDirectoryAsync(adapter.Folder, zip, CompressionLevel.Fastest, includeBaseDirectory: false, cancellation);
        }
        catch
        {
            File.Delete(zip);
            throw;
        }
        return new FileStream(zip, FileMode.Open, FileAccess.Read, FileShare.Delete, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }

    static JsonObject? ReadConfig(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Subject(int adapterId, string name) => $"adapter {adapterId} '{name}'";

    static AdapterSummary ToSummary(Adapter a) => new(
        a.Id, a.Name, a.RunId, a.BaseModelId, a.BaseModel.Name, a.Method, a.Rank, ParseOrNull(a.TargetModules), a.Folder,
        a.SizeBytes, a.CreatedAt, ParseOrNull(a.MetricsJson), a.Owner, a.OwnerUser.UserName ?? a.Owner);

    static JsonNode? ParseOrNull(string? json) => json is null ? null : JsonNode.Parse(json);
}
