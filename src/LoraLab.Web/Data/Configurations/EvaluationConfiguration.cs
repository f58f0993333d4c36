using LoraLab.Web.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LoraLab.Web.Data.Configurations;

sealed class EvaluationConfiguration : IEntityTypeConfiguration<Evaluation>
{
    public void Configure(EntityTypeBuilder<Evaluation> evaluation)
    {
        evaluation.HasOne<BaseModel>().WithMany().HasForeignKey(e => e.BaseModelId).OnDelete(DeleteBehavior.Cascade);
        evaluation.HasOne<Adapter>().WithMany().HasForeignKey(e => e.AdapterId).OnDelete(DeleteBehavior.Cascade);
        evaluation.HasOne<Dataset>().WithMany().HasForeignKey(e => e.DatasetId).OnDelete(DeleteBehavior.Cascade);
        evaluation.HasOne<Run>().WithMany().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
        evaluation.HasOne<Run>().WithMany().HasForeignKey(e => e.AnsweredByRunId).OnDelete(DeleteBehavior.SetNull);
        evaluation.HasOne<StudioUser>().WithMany().HasForeignKey(e => e.Owner).OnDelete(DeleteBehavior.Restrict);
        evaluation.HasIndex(e => new { e.BaseModelId, e.DatasetId });
        evaluation.HasIndex(e => e.AdapterId);
        evaluation.HasIndex(e => e.RunId);
        evaluation.HasIndex(e => e.AnsweredByRunId);
    }
}
