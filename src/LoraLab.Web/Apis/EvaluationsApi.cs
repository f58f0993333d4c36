using LoraLab.Web.Accounts;
using LoraLab.Web.Datasets;
using LoraLab.Web.Evaluations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

/// <summary>
/// Generation metrics of adapters for scripts: evaluate one (or the base model alone) on a dataset the caller may read,
/// and read the leaderboard of a base model on a dataset; evaluate a run's adapter on the records the run held out.
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

    /// <summary>Answers the dataset's records and scores them; returns when done, with the answers and the baseline.</summary>
    static async Task<Results<Created<EvaluationResult>, ProblemHttpResult>> Evaluate(
        EvaluationRequest request, Evaluator evaluator, Caller caller, CancellationToken cancellation)
    {
        var result = await evaluator.EvaluateAsync(request, caller, cancellation: cancellation);
        return result.Failure is { } failure ? failure.ToProblem()
            : TypedResults.Created($"{ApiProblems.Prefix}/evaluations?baseModelId={request.BaseModelId}&datasetId={request.DatasetId}", result.Value!);
    }

    /// <summary>Answers the run's held-out records with its adapter and the base model alone; the body may name <c>maxExamples</c>.</summary>
    static async Task<Results<Created<EvaluationResult>, ProblemHttpResult>> EvaluateRun(
        int runId, RunEvaluationRequest? request, Evaluator evaluator, Caller caller, CancellationToken cancellation)
    {
        var result = await evaluator.EvaluateRunAsync(runId, request?.MaxExamples, caller, cancellation: cancellation);
        return result.Failure is { } failure ? failure.ToProblem() : TypedResults.Created($"{ApiProblems.Prefix}/runs/{runId}/evaluation", result.Value!);
    }

    static async Task<Results<Ok<EvaluationResult>, ProblemHttpResult>> RunEvaluation(int runId, EvaluationStore store, CancellationToken cancellation) =>
        await store.ForRunAsync(runId, cancellation) is { } result ? TypedResults.Ok(result)
            : new Failure(FailureKind.NotFound, "Not evaluated", $"Run {runId}'s adapter has not been evaluated on the records it held out (POST to this address does it).").ToProblem();

    static async Task<Results<Ok<IReadOnlyList<EvaluationSummary>>, ProblemHttpResult>> Leaderboard(
        int baseModelId, int datasetId, EvaluationStore store, DatasetStore datasets, Caller caller, CancellationToken cancellation)
    {
        var found = await datasets.FindAsync(datasetId, caller, cancellation);
        return found.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(await store.LeaderboardAsync(baseModelId, datasetId, cancellation));
    }
}
