using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    public void Configure(EntityTypeBuilder<Run> run)
    {
        run.Property(r => r.Name).HasMaxLength(200);
        run.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        run.Property(r => r.MethodKind).HasMaxLength(32);
        run.Property(r => r.SlurmJobId).HasMaxLength(32);
        run.Property(r => r.SlurmNode).HasMaxLength(200);
        run.Property(r => r.SlurmPendingReason).HasMaxLength(1000);
        run.HasOne(r => r.OwnerUser).WithMany().HasForeignKey(r => r.Owner).OnDelete(DeleteBehavior.Restrict);
        run.HasOne(r => r.BaseModel).WithMany().HasForeignKey(r => r.BaseModelId).OnDelete(DeleteBehavior.Restrict);
        run.HasOne(r => r.Dataset).WithMany().HasForeignKey(r => r.DatasetId).OnDelete(DeleteBehavior.SetNull);
        run.HasMany(r => r.Checkpoints).WithOne().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
        run.HasMany<RunMetric>().WithOne().HasForeignKey(m => m.RunId).OnDelete(DeleteBehavior.Cascade);
        run.HasIndex(r => new { r.Status, r.QueuePosition });
    }
}
