using LoraLab.Web.Data.Entities;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace LoraLab.Web.Data;

/// <summary>The studio's records and ASP.NET Core Identity's accounts and roles, in one SQLite database.</summary>
public sealed class LoraLabDbContext(DbContextOptions<LoraLabDbContext> options) : IdentityDbContext<StudioUser>(options)
{
    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<BaseModel> BaseModels => Set<BaseModel>();
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunMetric> RunMetrics => Set<RunMetric>();
    public DbSet<Checkpoint> Checkpoints => Set<Checkpoint>();
    public DbSet<Adapter> Adapters => Set<Adapter>();
    public DbSet<PlaygroundSession> PlaygroundSessions => Set<PlaygroundSession>();
    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<PlaygroundVote> PlaygroundVotes => Set<PlaygroundVote>();
    public DbSet<Evaluation> Evaluations => Set<Evaluation>();
    public DbSet<Sweep> Sweeps => Set<Sweep>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(LoraLabDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite stores DateTime as text without a kind; every timestamp here is UTC, so say so when reading.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<RunStatus>().HaveConversion<string>().HaveMaxLength(16);
        configurationBuilder.Properties<MetricKind>().HaveConversion<string>().HaveMaxLength(8);
        configurationBuilder.Properties<ModelSource>().HaveConversion<string>().HaveMaxLength(8);
        configurationBuilder.Properties<VoteChoice>().HaveConversion<string>().HaveMaxLength(8);
    }
}
