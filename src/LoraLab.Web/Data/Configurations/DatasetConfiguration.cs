using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

sealed class DatasetConfiguration : IEntityTypeConfiguration<Dataset>
{
    public void Configure(EntityTypeBuilder<Dataset> dataset)
    {
        dataset.Property(d => d.Name).HasMaxLength(200);
        dataset.Property(d => d.Format).HasMaxLength(8);
        dataset.Property(d => d.Benchmark).HasMaxLength(32);
        dataset.HasOne(d => d.OwnerUser).WithMany().HasForeignKey(d => d.Owner).OnDelete(DeleteBehavior.Restrict);
        dataset.HasIndex(d => d.FilePath).IsUnique();
    }
}
