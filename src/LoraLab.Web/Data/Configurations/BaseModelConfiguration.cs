using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

sealed class BaseModelConfiguration : IEntityTypeConfiguration<BaseModel>
{
    public void Configure(EntityTypeBuilder<BaseModel> model)
    {
        model.Property(m => m.Name).HasMaxLength(200);
        model.Property(m => m.Architecture).HasMaxLength(100);
        model.Property(m => m.DType).HasMaxLength(32);
        model.HasOne(m => m.OwnerUser).WithMany().HasForeignKey(m => m.Owner).OnDelete(DeleteBehavior.Restrict);
        model.HasIndex(m => m.Folder).IsUnique();
    }
}
