using LoraLab.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Storage;

/// <summary>
/// Finds what lies in datasets/, adapters/, runs/ and logs/ without a record pointing to it: leftovers of a crash
/// between writing a file and recording it, or files copied in by hand. models/ is the user's and is left out.
/// </summary>
public sealed class UnreferencedFiles(IDbContextFactory<LoraLabDbContext> dbFactory, DataFolder data)
{
    public async Task<IReadOnlyList<string>> FindAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var runIds = await db.Runs.Select(r => r.Id).ToListAsync(cancellation);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        referenced.UnionWith(await db.Datasets.Select(d => d.FilePath).ToListAsync(cancellation));
        referenced.UnionWith(await db.Adapters.Select(a => a.Folder).ToListAsync(cancellation));
        referenced.UnionWith(runIds.Select(data.RunFolder));
        referenced.UnionWith(runIds.Select(data.RunLog));
        // A run's adapter folder is registered when the run completes; until then the run owns it.
        referenced.UnionWith(runIds.Select(data.AdapterFolderOfRun));

        return new[] { data.Datasets, data.Adapters, data.Runs, data.Logs }
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFileSystemEntries)
            .Select(Path.GetFullPath)
            .Where(path => !referenced.Contains(path))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
