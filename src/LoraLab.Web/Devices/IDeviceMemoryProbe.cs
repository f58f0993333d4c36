using LoraLab.Engine.Devices;

namespace LoraLab.Web.Devices;

/// <summary>Memory free on a device for a new run, and its size, in bytes.</summary>
public sealed record DeviceMemoryReading(long FreeBytes, long TotalBytes)
{
    public long UsedBytes => TotalBytes - FreeBytes;
}

/// <summary>Reads how much memory a compute device has free; an abstraction so that placement is testable with made-up devices.</summary>
public interface IDeviceMemoryProbe
{
    /// <summary>The reading, or null when this host cannot measure the device.</summary>
    DeviceMemoryReading? Read(ComputeDevice device);
}
