using LoraLab.Web.Devices;
using Microsoft.Extensions.Options;

namespace LoraLab.Web.Extensions;

public static class ComputeDeviceStartup
{
    /// <summary>
    /// Selects the compute devices before the app accepts requests, so a wrong LoraLab:Device setting stops
    /// start-up with one log line naming the setting, rather than failing the first page that needs the device.
    /// </summary>
    public static bool TrySelectComputeDevice(this WebApplication app)
    {
        string requested = app.Services.GetRequiredService<IOptions<LoraLabOptions>>().Value.Device;
        try
        {
            var devices = app.Services.GetRequiredService<TrainingDevices>().Devices;
            app.Logger.LogInformation(devices.Count == 1 ? "Compute device: {Device}" : "Compute devices: {Device}", string.Join(", ", devices.Select(d => d.Name)));
            return true;
        }
        catch (Exception e)
        {
            app.Logger.LogCritical("Cannot start: setting LoraLab:Device = '{Device}' is unusable: {Reason}", requested, e.Message);
            return false;
        }
    }
}
