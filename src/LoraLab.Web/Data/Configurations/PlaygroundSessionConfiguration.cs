using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

sealed class PlaygroundSessionConfiguration : IEntityTypeConfiguration<PlaygroundSession>
{
    public void Configure(EntityTypeBuilder<PlaygroundSession> session)
    {
        session.Property(s => s.Name).HasMaxLength(200);
        session.HasOne(s => s.OwnerUser).WithMany().HasForeignKey(s => s.Owner).OnDelete(DeleteBehavior.Restrict);
    }
}
