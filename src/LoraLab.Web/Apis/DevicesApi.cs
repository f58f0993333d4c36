using LoraLab.Web.Devices;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoraLab.Web.Apis;

public static class DevicesApi
{
    /// <summary>The compute devices runs train on, each with its memory now and the runs it trains.</summary>
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup($"{ApiProblems.Prefix}/devices").WithTags("Devices").MapGet("/", ListDevices);
        return app;
    }

    static Ok<IReadOnlyList<DeviceStatus>> ListDevices(TrainingDevices devices) => TypedResults.Ok(devices.Status());
}
