using System.Runtime.InteropServices;
using LoraLab.Engine.Diagnostics;

namespace LoraLab.Engine.Tests.Diagnostics;

/// <summary>Resident size is process-wide: these tests run alone so that no other test's allocations blur them.</summary>
[CollectionDefinition(nameof(ProcessMemoryTests), DisableParallelization = true)]
[Collection(nameof(ProcessMemoryTests))]
public class ProcessMemoryTests
{
    const long Size = 256L << 20;

    /// <summary>Allocates and touches native memory, so that it becomes resident, until disposed.</summary>
    sealed class Touched : IDisposable
    {
        readonly IntPtr block = Marshal.AllocHGlobal((IntPtr)Size);

        public Touched()
        {
            for (long page = 0; page < Size; page += 4096) Marshal.WriteByte(block, (int)page, 1);
        }

        public void Dispose() => Marshal.FreeHGlobal(block);
    }

    [Fact]
    public void Touching_memory_raises_the_resident_size_and_the_peak_by_as_much()
    {
        long before = ProcessMemory.CurrentBytes();

        long during, peak;
        using (new Touched()) { during = ProcessMemory.CurrentBytes(); peak = ProcessMemory.PeakBytes(); }

        Assert.InRange(during - before, Size * 9 / 10, Size * 2);
        Assert.True(peak >= during, $"peak {peak} < current {during}");
    }

    [Fact]
    public void Resetting_the_peak_forgets_memory_that_was_freed()
    {
        if (!OperatingSystem.IsLinux()) return;   // elsewhere the peak cannot be reset, by design
        using (new Touched()) { }
        long peakBefore = ProcessMemory.PeakBytes();

        ProcessMemory.ResetPeak();
        long peakAfter = ProcessMemory.PeakBytes();

        Assert.True(peakAfter <= peakBefore - Size * 9 / 10, $"peak {peakBefore} became {peakAfter} after the reset");
        Assert.True(peakAfter >= ProcessMemory.CurrentBytes() / 2);
    }
}
