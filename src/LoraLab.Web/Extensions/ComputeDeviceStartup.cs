using LoraLab.Engine.Devices;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Extensions;

public static class ComputeDeviceStartup
{
    /// <summary>
    /// Selects the compute device before the app accepts requests, so a wrong LoraLab:Device setting stops
    /// start-up with one log line naming the setting, rather than failing the first page that needs the device.
    /// </summary>
    public static bool TrySelectComputeDevice(this WebApplication app)
    {
        string requested = app.Services.GetRequiredService<IOptions<LoraLabOptions>>().Value.Device;
        try
        {
            var device = app.Services.GetRequiredService<ComputeDevice>();
            app.Logger.LogInformation("Compute device: {Device}", device.Name);
            return true;
        }
        catch (Exception e)
        {
            app.Logger.LogCritical("Cannot start: setting LoraLab:Device = '{Device}' is unusable: {Reason}", requested, e.Message);
            return false;
        }
    }
}
