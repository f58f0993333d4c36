using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Datasets;
using LoraLab.Web.Evaluations;
using LoraLab.Web.Training;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

/// <summary>
/// Generation metrics of adapters for scripts: queue an evaluation run of one (or of the base model alone) on a dataset
/// the caller may read, or of a run's adapter on the records the run held out (follow it at <c>/api/runs/{id}</c>), and
/// read the leaderboard of a base model on a dataset or a run's held-out evaluation.
/// </summary>
public static class EvaluationsApi
{
    public static IEndpointRouteBuilder MapEvaluationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/evaluations").WithTags("Evaluations");
        api.MapPost("/", Evaluate);
        api.MapGet("/", Leaderboard);
        var run = app.MapGroup($"{ApiProblems.Prefix}/runs/{{runId:int}}/evaluation").WithTags("Evaluations");
        run.MapPost("/", EvaluateRun);
        run.MapGet("/", RunEvaluation);
        return app;
    }

    /// <summary>Queues an evaluation run that answers the dataset's records and scores them; its results join the leaderboard when it completes.</summary>
    static async Task<Results<Accepted<RunSummary>, ProblemHttpResult>> Evaluate(
        EvaluationRequest request, Evaluator evaluator, Caller caller, CancellationToken cancellation)
    {
        var queued = await evaluator.QueueAsync(request, caller, cancellation);
        return queued.Failure is { } failure ? failure.ToProblem() : TypedResults.Accepted($"{ApiProblems.Prefix}/runs/{queued.Value!.Id}", queued.Value);
    }

    /// <summary>Queues an evaluation run that answers the run's held-out records with its adapter and the base model alone; the body may name <c>maxExamples</c>.</summary>
    static async Task<Results<Accepted<RunSummary>, ProblemHttpResult>> EvaluateRun(
        int runId, RunEvaluationRequest? request, Evaluator evaluator, Caller caller, CancellationToken cancellation)
    {
        var queued = await evaluator.QueueRunAsync(runId, request?.MaxExamples, caller, cancellation);
        return queued.Failure is { } failure ? failure.ToProblem() : TypedResults.Accepted($"{ApiProblems.Prefix}/runs/{queued.Value!.Id}", queued.Value);
    }

    /// <summary>For an evaluation run, the scores and answers of what it evaluated; for a training run, its adapter's on the records it held out.</summary>
    static async Task<Results<Ok<EvaluationResult>, ProblemHttpResult>> RunEvaluation(int runId, RunReader runs, EvaluationStore store, CancellationToken cancellation)
    {
        if (await runs.GetDetailsAsync(runId, cancellation) is not { } details) return Failure.NotFound("Run", runId).ToProblem();
        var run = details.Run;
        if (run.Kind == RunKind.Evaluation)
        {
            var spec = EvaluationRunSpec.FromStored(details.Configuration);
            return run.Status == RunStatus.Completed && run.DatasetId is { } datasetId
                && await store.AnsweredByAsync(runId, new EvaluationTarget(run.BaseModelId, spec.AdapterId, datasetId, spec.HeldOutOfRunId), cancellation) is { } evaluated
                ? TypedResults.Ok(evaluated)
                : new Failure(FailureKind.NotFound, "Not evaluated yet", run.Status == RunStatus.Completed
                    ? $"A later evaluation of the records evaluation run {runId} ('{run.Name}') answered replaced its scores."
                    : $"Evaluation run {runId} ('{run.Name}') is {run.Status}; its scores are here once it has completed.").ToProblem();
        }
        return await store.ForRunAsync(runId, cancellation) is { } result ? TypedResults.Ok(result)
            : new Failure(FailureKind.NotFound, "Not evaluated", $"Run {runId}'s adapter has not been evaluated on the records it held out (POST to this address does it).").ToProblem();
    }

    static async Task<Results<Ok<IReadOnlyList<EvaluationSummary>>, ProblemHttpResult>> Leaderboard(
        int baseModelId, int datasetId, EvaluationStore store, DatasetStore datasets, Caller caller, CancellationToken cancellation)
    {
        var found = await datasets.FindAsync(datasetId, caller, cancellation);
        return found.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(await store.LeaderboardAsync(baseModelId, datasetId, cancellation));
    }
}
