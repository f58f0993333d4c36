using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

sealed class PlaygroundVoteConfiguration : IEntityTypeConfiguration<PlaygroundVote>
{
    public void Configure(EntityTypeBuilder<PlaygroundVote> vote)
    {
        vote.HasOne<BaseModel>().WithMany().HasForeignKey(v => v.BaseModelId).OnDelete(DeleteBehavior.Cascade);
        vote.HasOne<Adapter>().WithMany().HasForeignKey(v => v.AdapterAId).OnDelete(DeleteBehavior.Cascade);
        vote.HasOne<Adapter>().WithMany().HasForeignKey(v => v.AdapterBId).OnDelete(DeleteBehavior.Cascade);
        vote.HasOne<StudioUser>().WithMany().HasForeignKey(v => v.Voter).OnDelete(DeleteBehavior.Restrict);
        vote.HasIndex(v => v.BaseModelId);
    }
}
