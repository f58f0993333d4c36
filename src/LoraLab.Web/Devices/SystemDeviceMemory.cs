using LoraLab.Engine.Devices;
using LoraLab.Web.Diagnostics;

namespace LoraLab.Web.Devices;

/// <summary>
/// The host's own readings: for the CPU, the kernel's estimate of memory available without swapping (MemAvailable of
/// /proc/meminfo) against MemTotal, since runs train inside the studio's process; for a CUDA device, what the driver
/// reports (<see cref="CudaDriverMemory"/>).
/// </summary>
public sealed class SystemDeviceMemory : IDeviceMemoryProbe
{
    const string MemInfoPath = "/proc/meminfo";

    public DeviceMemoryReading? Read(ComputeDevice device) => device.IsCuda ? CudaDriverMemory.Read(device.Device.index) : ReadHost();

    static DeviceMemoryReading? ReadHost()
    {
        try
        {
            return File.Exists(MemInfoPath) ? FromMemInfo(File.ReadAllText(MemInfoPath)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>MemAvailable and MemTotal of /proc/meminfo in bytes, or null when either is missing.</summary>
    public static DeviceMemoryReading? FromMemInfo(string meminfo) =>
        DeviceMemory.ParseMemInfoField(meminfo, "MemAvailable") is { } free && DeviceMemory.ParseMemInfoField(meminfo, "MemTotal") is { } total
            ? new DeviceMemoryReading(free, total)
            : null;
}
