using LoraLab.Web.Data;
using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Slurm;

/// <summary>The cluster as the studio sees it: its partitions and nodes (sinfo), and the Slurm jobs of the studio's runs that are not over.</summary>
public sealed record ClusterStatus(IReadOnlyList<SlurmPartition> Partitions, IReadOnlyList<ClusterJob> Jobs);

/// <summary>A run's job with Slurm's word on it now; <paramref name="State"/> is null once Slurm no longer knows the job.</summary>
public sealed record ClusterJob(int RunId, string RunName, RunStatus RunStatus, string JobId, string? State, string? Reason, string? Node)
{
    /// <summary>Waiting to start, as the run page's Pending says (<see cref="SlurmJob.IsPending"/>): no node is its own yet.</summary>
    public bool IsPending => SlurmJob.IsPendingState(State);
}

/// <summary>Reads the cluster's status; throws <see cref="SlurmCommandException"/> when the Slurm commands fail.</summary>
public interface IClusterStatusReader
{
    Task<ClusterStatus> ReadAsync(CancellationToken cancellation);
}

public sealed class ClusterStatusReader(SlurmClient slurm, IDbContextFactory<LoraLabDbContext> dbFactory) : IClusterStatusReader
{
    public async Task<ClusterStatus> ReadAsync(CancellationToken cancellation)
    {
        var partitions = await slurm.PartitionsAsync(cancellation);
        await using var db = await dbFactory.CreateDbContextAsync(cancellation);
        var runs = await db.Runs.Where(r => r.SlurmJobId != null && (r.Status == RunStatus.Running || r.Status == RunStatus.Interrupted))
            .OrderBy(r => r.Id).Select(r => new { r.Id, r.Name, r.Status, JobId = r.SlurmJobId! }).ToListAsync(cancellation);
        var jobs = new List<ClusterJob>();
        foreach (var run in runs)
        {
            var job = await slurm.JobAsync(run.JobId, cancellation);
            jobs.Add(new ClusterJob(run.Id, run.Name, run.Status, run.JobId, job?.State, job?.Reason, job?.Node));
        }
        return new ClusterStatus(partitions, jobs);
    }
}
