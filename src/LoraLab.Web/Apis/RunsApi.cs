using LoraLab.Web.Accounts;
using LoraLab.Web.Data.Entities;
using LoraLab.Web.Storage;
using LoraLab.Web.Training;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

public static class RunsApi
{
    public sealed record QueuePositionRequest(int Position);

    /// <summary>
    /// Runs for scripts: queue, list, inspect, cancel, resume, reorder, delete; metrics and log lines. Everyone reads
    /// every run; only its owner and admins change it, and only admins reorder the queue.
    /// </summary>
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/runs").WithTags("Runs");
        api.MapGet("/", ListRuns);
        api.MapPost("/", CreateRun);
        api.MapGet("/{runId:int}", GetRun);
        api.MapDelete("/{runId:int}", DeleteRun);
        api.MapPost("/{runId:int}/cancel", CancelRun);
        api.MapPost("/{runId:int}/resume", ResumeRun);
        api.MapPost("/{runId:int}/position", MoveRun);
        api.MapGet("/{runId:int}/metrics", GetMetrics);
        api.MapGet("/{runId:int}/metrics.csv", GetMetricsCsv);
        api.MapGet("/{runId:int}/tensorboard.zip", GetTensorBoardZip);
        api.MapGet("/{runId:int}/log", GetLog);
        return app;
    }

    static async Task<Ok<IReadOnlyList<RunSummary>>> ListRuns(RunReader runs, CancellationToken cancellation) =>
        TypedResults.Ok(await runs.ListAsync(cancellation));

    static async Task<Results<Created<RunSummary>, ProblemHttpResult>> CreateRun(NewRun run, RunQueue queue, Caller caller, CancellationToken cancellation)
    {
        var created = await queue.CreateAsync(run, caller, cancellation);
        return created.Failure is { } failure ? failure.ToProblem() : TypedResults.Created($"{ApiProblems.Prefix}/runs/{created.Value!.Id}", created.Value);
    }

    static async Task<Results<Ok<RunDetails>, ProblemHttpResult>> GetRun(int runId, RunReader runs, CancellationToken cancellation) =>
        await runs.GetDetailsAsync(runId, cancellation) is { } details ? TypedResults.Ok(details) : ApiProblems.NotFound("Run", runId);

    static async Task<Results<Ok<RunSummary>, ProblemHttpResult>> DeleteRun(int runId, RunQueue queue, Caller caller, CancellationToken cancellation) =>
        OkOrProblem(await queue.DeleteAsync(runId, caller, cancellation));

    /// <summary>200 when the run is cancelled; 202 when it is running and its executor was asked to stop.</summary>
    static async Task<Results<Ok<RunSummary>, Accepted<RunSummary>, ProblemHttpResult>> CancelRun(
        int runId, RunQueue queue, Caller caller, CancellationToken cancellation)
    {
        var cancelled = await queue.CancelAsync(runId, caller, cancellation);
        if (cancelled.Failure is { } failure) return failure.ToProblem();
        return cancelled.Value!.Status == RunStatus.Running
            ? TypedResults.Accepted($"{ApiProblems.Prefix}/runs/{runId}", cancelled.Value)
            : TypedResults.Ok(cancelled.Value);
    }

    static async Task<Results<Ok<RunSummary>, ProblemHttpResult>> ResumeRun(int runId, RunQueue queue, Caller caller, CancellationToken cancellation) =>
        OkOrProblem(await queue.ResumeAsync(runId, caller, cancellation));

    static async Task<Results<Ok<RunSummary>, ProblemHttpResult>> MoveRun(
        int runId, QueuePositionRequest request, RunQueue queue, Caller caller, CancellationToken cancellation) =>
        OkOrProblem(await queue.MoveAsync(runId, request.Position, caller, cancellation));

    static async Task<Results<Ok<IReadOnlyList<MetricPoint>>, ProblemHttpResult>> GetMetrics(
        int runId, RunReader runs, CancellationToken cancellation, int afterStep = 0) =>
        await runs.MetricsAsync(runId, afterStep, cancellation) is { } metrics ? TypedResults.Ok(metrics) : ApiProblems.NotFound("Run", runId);

    /// <summary>Every recorded point, one row each, for a spreadsheet or pandas.</summary>
    static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetMetricsCsv(int runId, RunReader runs, CancellationToken cancellation) =>
        await runs.MetricsAsync(runId, 0, cancellation) is { } metrics
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(MetricsCsv.Write(metrics)), "text/csv", $"run-{runId}-metrics.csv")
            : ApiProblems.NotFound("Run", runId);

    /// <summary>The run's TensorBoard event files, zipped for <c>tensorboard --logdir</c>.</summary>
    static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetTensorBoardZip(int runId, RunReader runs, DataFolder data, CancellationToken cancellation)
    {
        if (await runs.FindAsync(runId, cancellation) is null) return ApiProblems.NotFound("Run", runId);
        string folder = Path.Combine(data.RunFolder(runId), Engine.Training.TensorBoardLog.FolderName);
        if (!Directory.Exists(folder) || Directory.GetFiles(folder).Length == 0)
            return TypedResults.Problem($"Run {runId} has written no TensorBoard events yet.", statusCode: StatusCodes.Status404NotFound, title: "No TensorBoard events");
        using var zip = new MemoryStream();
        System.IO.Compression.ZipFile.CreateFromDirectory(folder, zip, System.IO.Compression.CompressionLevel.Fastest, includeBaseDirectory: true);
        return TypedResults.File(zip.ToArray(), "application/zip", $"run-{runId}-tensorboard.zip");
    }

    static async Task<Results<Ok<IReadOnlyList<string>>, ProblemHttpResult>> GetLog(int runId, RunReader runs, CancellationToken cancellation) =>
        await runs.FindAsync(runId, cancellation) is null
            ? ApiProblems.NotFound("Run", runId)
            : TypedResults.Ok(await runs.ReadLogAsync(runId, cancellation: cancellation));

    static Results<Ok<RunSummary>, ProblemHttpResult> OkOrProblem(Result<RunSummary> result) =>
        result.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(result.Value!);
}
