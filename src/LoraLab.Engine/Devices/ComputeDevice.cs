using System.Globalization;
using TorchSharp;

namespace LoraLab.Engine.Devices;

/// <summary>
/// The device and compute dtype chosen once for a process and passed down to every model and trainer.
/// CUDA when available (bf16, or fp16 on GPUs without bf16), otherwise the CPU in float32.
/// </summary>
public sealed record ComputeDevice(torch.Device Device, torch.ScalarType ComputeDType)
{
    const string Usage = "use auto, cpu, cuda (every GPU), cuda:N, or a list such as cuda:0,cuda:1";

    public bool IsCuda => Device.type == DeviceType.CUDA;

    public string Name => IsCuda ? $"CUDA:{Device.index}" : $"CPU ({Environment.ProcessorCount} threads)";

    public static ComputeDevice Cpu { get; } = new(torch.CPU, torch.ScalarType.Float32);

    /// <summary>The first of <see cref="SelectAll"/>: the one device a single process (the command line) works on.</summary>
    public static ComputeDevice Select(string requested = "auto") => SelectAll(requested)[0];

    /// <summary>
    /// The one place that decides between CUDA and the CPU. <paramref name="requested"/> is "auto" (every CUDA device
    /// when there is one, else the CPU), "cpu", "cuda" (every CUDA device), "cuda:N", or a comma-separated list of cuda:N.
    /// </summary>
    /// <exception cref="ArgumentException">The text names no device, or a CUDA device this host does not have.</exception>
    public static IReadOnlyList<ComputeDevice> SelectAll(string requested = "auto")
    {
        string normalized = requested.Trim().ToLowerInvariant();
        if (normalized == "cpu") return [Cpu];
        var parts = normalized.Split(',', StringSplitOptions.TrimEntries);
        if (normalized != "auto" && !parts.All(IsCudaName))
            throw new ArgumentException($"Unknown device '{requested}': {Usage}.");
        if (!torch.cuda.is_available())
        {
            return normalized == "auto" ? [Cpu] : throw new ArgumentException($"Device '{requested}' was requested but CUDA is not available on this host.");
        }
        int count = torch.cuda.device_count();
        var indices = normalized is "auto" or "cuda" ? Enumerable.Range(0, count).ToList() : parts.Select(CudaIndex).ToList();
        if (indices.FirstOrDefault(i => i >= count, -1) is var missing and >= 0)
            throw new ArgumentException($"Device '{requested}' names cuda:{missing}, but this host has {count} CUDA device(s): cuda:0 to cuda:{count - 1}.");
        if (indices.Count != indices.Distinct().Count())
            throw new ArgumentException($"Device '{requested}' names a CUDA device twice.");
        return indices.Select(i => new ComputeDevice(torch.device(DeviceType.CUDA, i), torch.ScalarType.BFloat16)).ToList();
    }

    static bool IsCudaName(string part) => part == "cuda" || (part.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(part[5..], NumberStyles.None, CultureInfo.InvariantCulture, out _));

    static int CudaIndex(string part) => part == "cuda" ? 0 : int.Parse(part[5..], NumberStyles.None, CultureInfo.InvariantCulture);
}
