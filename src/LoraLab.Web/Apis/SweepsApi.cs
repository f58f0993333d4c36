using LoraLab.Web.Accounts;
using LoraLab.Web.Sweeps;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

public static class SweepsApi
{
    /// <summary>Sweeps for scripts: queue one (all its runs or none), list them, read one with its runs ranked, and delete one with its runs. Everyone reads every sweep.</summary>
    public static IEndpointRouteBuilder MapSweepsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{ApiProblems.Prefix}/sweeps").WithTags("Sweeps");
        api.MapGet("/", ListSweeps);
        api.MapPost("/", CreateSweep);
        api.MapGet("/{sweepId:int}", GetSweep);
        api.MapDelete("/{sweepId:int}", DeleteSweep);
        return app;
    }

    static async Task<Ok<IReadOnlyList<SweepSummary>>> ListSweeps(SweepReader sweeps, CancellationToken cancellation) =>
        TypedResults.Ok(await sweeps.ListAsync(cancellation));

    static async Task<Results<Created<SweepDetails>, ProblemHttpResult>> CreateSweep(NewSweep sweep, SweepService service, Caller caller, CancellationToken cancellation)
    {
        var created = await service.CreateAsync(sweep, caller, cancellation);
        return created.Failure is { } failure ? failure.ToProblem() : TypedResults.Created($"{ApiProblems.Prefix}/sweeps/{created.Value!.Sweep.Id}", created.Value);
    }

    static async Task<Results<Ok<SweepDetails>, ProblemHttpResult>> GetSweep(int sweepId, SweepReader sweeps, CancellationToken cancellation) =>
        await sweeps.GetAsync(sweepId, cancellation) is { } details ? TypedResults.Ok(details) : ApiProblems.NotFound("Sweep", sweepId);

    static async Task<Results<Ok<SweepSummary>, ProblemHttpResult>> DeleteSweep(int sweepId, SweepService service, Caller caller, CancellationToken cancellation)
    {
        var deleted = await service.DeleteAsync(sweepId, caller, cancellation);
        return deleted.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(deleted.Value!);
    }
}
