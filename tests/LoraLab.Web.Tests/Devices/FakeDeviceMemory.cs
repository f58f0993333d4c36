using LoraLab.Engine.Devices;
using LoraLab.Web.Devices;

namespace LoraLab.Web.Tests.Devices;

/// <summary>Device memory as a test says it is: a reading per device name, and none (not measured) for the others.</summary>
public sealed class FakeDeviceMemory(IReadOnlyDictionary<string, DeviceMemoryReading>? readings = null) : IDeviceMemoryProbe
{
    public DeviceMemoryReading? Read(ComputeDevice device) => readings?.GetValueOrDefault(device.Name);

    public const long GiB = 1L << 30;

    /// <summary>A made-up CUDA device; no CUDA runtime is touched.</summary>
    public static ComputeDevice Cuda(int index) => new(new TorchSharp.torch.Device(TorchSharp.DeviceType.CUDA, index), TorchSharp.torch.ScalarType.BFloat16);
}
