using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

sealed class AdapterConfiguration : IEntityTypeConfiguration<Adapter>
{
    public void Configure(EntityTypeBuilder<Adapter> adapter)
    {
        adapter.Property(a => a.Name).HasMaxLength(200);
        adapter.Property(a => a.Method).HasMaxLength(32);
        adapter.Property(a => a.Origin).HasMaxLength(500);
        adapter.HasOne<Run>().WithMany().HasForeignKey(a => a.RunId).OnDelete(DeleteBehavior.SetNull);
        adapter.HasOne(a => a.BaseModel).WithMany().HasForeignKey(a => a.BaseModelId).OnDelete(DeleteBehavior.Restrict);
        adapter.HasOne(a => a.OwnerUser).WithMany().HasForeignKey(a => a.Owner).OnDelete(DeleteBehavior.Restrict);
        adapter.HasIndex(a => a.Folder).IsUnique();
    }
}
