using LoraLab.Engine.Devices;
using LoraLab.Engine.Diagnostics;

namespace LoraLab.Web.Diagnostics;

/// <summary>Bytes in use on the compute device and what it has in all.</summary>
public sealed record MemoryUse(long UsedBytes, long TotalBytes);

/// <summary>
/// The memory of the device training runs on. On the CPU that is the studio process's resident size (training runs
/// in-process, and libtorch allocates outside the managed heap) against the machine's memory; for CUDA the engine does
/// not measure device memory, so there is nothing to show.
/// </summary>
public sealed class DeviceMemory(ComputeDevice device)
{
    const string MemInfoPath = "/proc/meminfo";

    public MemoryUse? Read() => device.IsCuda ? null : new MemoryUse(ProcessMemory.CurrentBytes(), MachineTotalBytes());

    /// <summary>The machine's memory: MemTotal of /proc/meminfo, or what the runtime sees as available elsewhere.</summary>
    public static long MachineTotalBytes()
    {
        if (File.Exists(MemInfoPath))
        {
            try
            {
                if (ParseMemTotal(File.ReadAllText(MemInfoPath)) is { } total) return total;
            }
            catch (IOException) { }
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>The "MemTotal:  24576000 kB" line of /proc/meminfo in bytes, or null without one.</summary>
    public static long? ParseMemTotal(string meminfo) => ParseMemInfoField(meminfo, "MemTotal");

    /// <summary>A "Name:  1234 kB" line of /proc/meminfo in bytes, or null without one.</summary>
    public static long? ParseMemInfoField(string meminfo, string field)
    {
        string prefix = field + ":";
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var value = line[prefix.Length..].Trim();
            if (value.EndsWith("kB", StringComparison.Ordinal)) value = value[..^2].TrimEnd();
            return long.TryParse(value, out long kilobytes) ? kilobytes * 1024 : null;
        }
        return null;
    }
}
