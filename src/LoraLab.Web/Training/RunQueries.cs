using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Training;

static class RunQueries
{
    public static IQueryable<RunSummary> Summaries(this IQueryable<Run> runs) =>
        runs.Select(r => new RunSummary(
            r.Id, r.Name, r.Status, r.QueuePosition, r.BaseModelId, r.BaseModel.Name, r.DatasetId,
            r.Dataset != null ? r.Dataset.Name : null, r.MethodKind, r.Owner, r.OwnerUser.UserName ?? r.Owner, r.CreatedAt, r.StartedAt, r.FinishedAt,
            r.ErrorMessage, r.ResumeFromStep,
            r.TrainLoss, r.EvalLoss, r.Perplexity, r.TokensPerSecond, r.SlurmJobId, r.SlurmNode, r.SlurmPendingReason, r.SweepId, r.Kind));
}
