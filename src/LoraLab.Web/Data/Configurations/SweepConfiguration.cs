using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

sealed class SweepConfiguration : IEntityTypeConfiguration<Sweep>
{
    public void Configure(EntityTypeBuilder<Sweep> sweep)
    {
        sweep.Property(s => s.Name).HasMaxLength(200);
        sweep.Property(s => s.MethodKind).HasMaxLength(32);
        sweep.Property(s => s.RankMetric).HasMaxLength(32);
        sweep.Property(s => s.Mode).HasConversion<string>().HasMaxLength(8);
        sweep.HasOne(s => s.OwnerUser).WithMany().HasForeignKey(s => s.Owner).OnDelete(DeleteBehavior.Restrict);
        // A model is deleted only once no run refers to it; the sweeps that grouped those runs go with it.
        sweep.HasOne(s => s.BaseModel).WithMany().HasForeignKey(s => s.BaseModelId).OnDelete(DeleteBehavior.Cascade);
        sweep.HasOne(s => s.Dataset).WithMany().HasForeignKey(s => s.DatasetId).OnDelete(DeleteBehavior.SetNull);
        // Deleting a sweep keeps its runs, no longer grouped.
        sweep.HasMany<Run>().WithOne().HasForeignKey(r => r.SweepId).OnDelete(DeleteBehavior.SetNull);
    }
}
