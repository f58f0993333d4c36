using System.Diagnostics;

namespace LoraLab.Engine.Diagnostics;

/// <summary>
/// Resident memory of this process in bytes. libtorch allocates outside the managed heap, so resident set size (not
/// GC counters) is what shows how much a model and its activations take.
/// </summary>
public static class ProcessMemory
{
    const string StatusPath = "/proc/self/status";

    /// <summary>Resident set size now (VmRSS on Linux).</summary>
    public static long CurrentBytes() =>
        ReadStatusKilobytes("VmRSS:") * 1024 ?? FromProcess(p => p.WorkingSet64);

    /// <summary>The highest resident set size since start or since <see cref="ResetPeak"/> (VmHWM on Linux).</summary>
    public static long PeakBytes() =>
        ReadStatusKilobytes("VmHWM:") * 1024 ?? FromProcess(p => p.PeakWorkingSet64);

    /// <summary>
    /// Starts a new peak from the current resident size; Linux only (writing 5 to /proc/self/clear_refs resets VmHWM).
    /// Elsewhere, or when the kernel refuses, the peak keeps counting from process start.
    /// </summary>
    public static void ResetPeak()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The value of a "Name:   1234 kB" line of /proc/self/status, or null when there is no such file or line.</summary>
    static long? ReadStatusKilobytes(string field)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            foreach (var line in File.ReadLines(StatusPath))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return ParseKilobytes(line.AsSpan(field.Length));
        }
        catch (IOException) { }
        return null;
    }

    static long? ParseKilobytes(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.EndsWith("kB", StringComparison.Ordinal)) value = value[..^2].TrimEnd();
        return long.TryParse(value, out long kilobytes) ? kilobytes : null;
    }

    static long FromProcess(Func<Process, long> read)
    {
        using var process = Process.GetCurrentProcess();
        return read(process);
    }
}
