using LoraLab.Engine.Devices;
using LoraLab.Web.Diagnostics;

namespace LoraLab.Web.Tests.Diagnostics;

public sealed class DeviceMemoryTests
{
    [Fact]
    public void MemTotal_is_read_in_kibibytes_and_returned_in_bytes()
    {
        const string meminfo = "MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\n";

        Assert.Equal(24_576_000L * 1024, DeviceMemory.ParseMemTotal(meminfo));
    }

    [Fact]
    public void Without_a_MemTotal_line_there_is_no_total()
    {
        Assert.Null(DeviceMemory.ParseMemTotal("MemFree: 12 kB\n"));
    }

    [Fact]
    public void On_the_cpu_the_studio_uses_less_than_the_machine_has()
    {
        var use = new DeviceMemory(ComputeDevice.Cpu).Read()!;

        Assert.InRange(use.UsedBytes, 1, use.TotalBytes - 1);
    }
}
