using TorchSharp;

namespace LoraLab.Engine.Devices;

/// <summary>
/// The device and compute dtype chosen once for a process and passed down to every model and trainer.
/// CUDA when available (bf16, or fp16 on GPUs without bf16), otherwise the CPU in float32.
/// </summary>
public sealed record ComputeDevice(torch.Device Device, torch.ScalarType ComputeDType)
{
    public bool IsCuda => Device.type == DeviceType.CUDA;

    public string Name => IsCuda ? $"CUDA:{Device.index}" : $"CPU ({Environment.ProcessorCount} threads)";

    public static ComputeDevice Cpu { get; } = new(torch.CPU, torch.ScalarType.Float32);

    /// <summary>The one place that decides between CUDA and the CPU. <paramref name="requested"/> is "auto", "cpu" or "cuda[:N]".</summary>
    public static ComputeDevice Select(string requested = "auto")
    {
        requested = requested.Trim().ToLowerInvariant();
        if (requested == "cpu") return Cpu;
        bool cuda = torch.cuda.is_available();
        if (requested.StartsWith("cuda", StringComparison.Ordinal) && !cuda)
            throw new ArgumentException($"Device '{requested}' was requested but CUDA is not available on this host.");
        if (requested != "auto" && !requested.StartsWith("cuda", StringComparison.Ordinal))
            throw new ArgumentException($"Unknown device '{requested}': use auto, cpu or cuda[:N].");
        if (!cuda) return Cpu;
        var device = requested == "auto" ? torch.CUDA : torch.device(requested);
        return new ComputeDevice(device, torch.ScalarType.BFloat16);
    }
}
