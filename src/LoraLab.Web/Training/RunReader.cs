using System.Text.Json.Nodes;
using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Training;

/// <summary>Runs as pages and the API read them: lists, details, metric curves and log lines.</summary>
public sealed class RunReader(IDbContextFactory<LoraLabDbContext> dbFactory, DataFolder data)
{
    /// <summary>Running runs first, then the queue in order, then the rest newest first.</summary>
    public async Task<IReadOnlyList<RunSummary>> ListAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var runs = await db.Runs.AsNoTracking().Summaries().ToListAsync(cancellation);
        return runs
            .OrderBy(r => r.Status switch { RunStatus.Running => 0, RunStatus.Queued => 1, _ => 2 })
            .ThenBy(r => r.QueuePosition)
            .ThenByDescending(r => r.Id)
            .ToList();
    }

    public async Task<RunSummary?> FindAsync(int runId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        return await db.Runs.AsNoTracking().Where(r => r.Id == runId).Summaries().FirstOrDefaultAsync(cancellation);
    }

    public async Task<RunDetails?> GetDetailsAsync(int runId, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var summary = await db.Runs.AsNoTracking().Where(r => r.Id == runId).Summaries().FirstOrDefaultAsync(cancellation);
        if (summary is null) return null;
        string configuration = await db.Runs.Where(r => r.Id == runId).Select(r => r.ConfigurationJson).FirstAsync(cancellation);
        var checkpoints = await db.Checkpoints.AsNoTracking().Where(c => c.RunId == runId).OrderBy(c => c.Step)
            .Select(c => new CheckpointSummary(c.Id, c.Step, c.Path, c.CreatedAt, c.IsBest)).ToListAsync(cancellation);
        int? adapterId = await db.Adapters.Where(a => a.RunId == runId).Select(a => (int?)a.Id).FirstOrDefaultAsync(cancellation);
        return new RunDetails(summary, JsonNode.Parse(configuration) as JsonObject ?? [], checkpoints, adapterId);
    }

    /// <summary>The run's training and evaluation points after <paramref name="afterStep"/>, by step; null when the run does not exist.</summary>
    public async Task<IReadOnlyList<MetricPoint>?> MetricsAsync(int runId, int afterStep = 0, CancellationToken cancellation = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellation)) return null;
        return await db.RunMetrics.AsNoTracking().Where(m => m.RunId == runId && m.Step > afterStep)
            .OrderBy(m => m.Step).ThenBy(m => m.Id)
            .Select(m => new MetricPoint(m.Step, m.Kind, m.Loss, m.LearningRate, m.GradNorm, m.TokensPerSecond, m.ElapsedSeconds))
            .ToListAsync(cancellation);
    }

    /// <summary>The last <paramref name="maxLines"/> lines of the run's log (logs/run-{id}.log); empty before the run logs anything.</summary>
    public async Task<IReadOnlyList<string>> ReadLogAsync(int runId, int maxLines = 1000, CancellationToken cancellation = default)
    {
        string path = data.RunLog(runId);
        if (!File.Exists(path)) return [];
        // The recorder may be appending: share the file for writing.
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        var lines = new Queue<string>();
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            lines.Enqueue(line);
            if (lines.Count > maxLines) lines.Dequeue();
        }
        return lines.ToList();
    }
}
