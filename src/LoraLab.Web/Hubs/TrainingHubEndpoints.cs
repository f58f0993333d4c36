namespace LoraLab.Web.Hubs;

public static class TrainingHubEndpoints
{
    public static IEndpointRouteBuilder MapTrainingHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<TrainingHub>(TrainingHub.Path);
        return app;
    }
}
