using LoraLab.Web.Slurm;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Apis;

public static class ClusterApi
{
    /// <summary>The Slurm cluster runs train on (LoraLab:Executor = slurm): its partitions and nodes, and the studio's jobs.</summary>
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup($"{ApiProblems.Prefix}/cluster").WithTags("Cluster").MapGet("/", GetCluster);
        return app;
    }

    static async Task<Results<Ok<ClusterStatus>, ProblemHttpResult>> GetCluster(
        IOptions<LoraLabOptions> options, IClusterStatusReader cluster, CancellationToken cancellation)
    {
        if (options.Value.Executor != "slurm")
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No cluster",
                detail: "The studio trains runs in its own process (LoraLab:Executor is 'local'); see /api/devices.");
        try
        {
            return TypedResults.Ok(await cluster.ReadAsync(cancellation));
        }
        catch (SlurmCommandException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The cluster does not answer", detail: e.Message);
        }
    }
}
