using System.Text.Json;
using System.Text.Json.Nodes;
using LoraLab.Engine.Peft;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Adapters;

/// <summary>
/// The bundled demo adapters ({DemoAdaptersPath}/{task}/, PEFT layout), copied into {DataPath}/adapters/demo-{task} and
/// registered on the demo model once per data folder, so the playground has adapters to compare before any training.
/// </summary>
public sealed class DemoAdapters(IDbContextFactory<LoraLabDbContext> dbFactory, DataFolder data, IOptions<LoraLabOptions> options, TimeProvider clock)
{
    string Marker => Path.Combine(data.Root, ".demo-adapters-registered");

    /// <summary>
    /// Registers every demo adapter folder once; a user who deletes one keeps it deleted. Nothing happens, and nothing is
    /// remembered, while there is no demo model or no adapter folder to register.
    /// </summary>
    /// <returns>The names registered now.</returns>
    public async Task<IReadOnlyList<string>> RegisterAsync(CancellationToken cancellation = default)
    {
        if (options.Value.DemoAdaptersFolder is not { } source || !Directory.Exists(source) || File.Exists(Marker)) return [];
        var tasks = Directory.EnumerateDirectories(source).Where(d => File.Exists(Path.Combine(d, AdapterFolder.ConfigFile))).Order(StringComparer.Ordinal).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var demoModel = await db.BaseModels.Where(m => m.Source == ModelSource.Demo && m.Error == null).OrderBy(m => m.Id).FirstOrDefaultAsync(cancellation);
        if (demoModel is null || tasks.Count == 0) return [];

        var registered = new List<string>();
        foreach (string task in tasks)
        {
            string folder = Path.Combine(data.Adapters, "demo-" + Path.GetFileName(task));
            if (await db.Adapters.AnyAsync(a => a.Folder == folder, cancellation)) continue;
            CopyFolder(task, folder);
            var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, AdapterFolder.ConfigFile), cancellation)) as JsonObject;
            db.Adapters.Add(new Adapter
            {
                Name = "demo " + Path.GetFileName(task),
                BaseModelId = demoModel.Id,
                Method = MethodOf(config),
                Rank = config?["r"] is JsonValue r && r.TryGetValue(out int rank) ? rank : null,
                TargetModules = config?["target_modules"]?.ToJsonString(),
                Folder = folder,
                SizeBytes = DataFiles.FolderSize(folder),
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            });
            registered.Add("demo " + Path.GetFileName(task));
        }
        await db.SaveChangesAsync(cancellation);
        await File.WriteAllTextAsync(Marker, clock.GetUtcNow().UtcDateTime.ToString("O"), cancellation);
        return registered;
    }

    /// <summary>The studio's method name for an adapter_config.json: lora or dora for LoRA folders, else the PEFT type in lower case.</summary>
    internal static string MethodOf(JsonObject? config)
    {
        string peftType = config?["peft_type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : "LORA";
        bool dora = config?["use_dora"] is JsonValue d && d.GetValueKind() == JsonValueKind.True;
        return peftType == "LORA" ? dora ? "dora" : "lora" : peftType.ToLowerInvariant();
    }

    static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }
}
