using LoraLab.Engine.Devices;
using LoraLab.Web.Devices;
using static LoraLab.Web.Tests.Devices.FakeDeviceMemory;

namespace LoraLab.Web.Tests.Devices;

public sealed class TrainingDevicesTests
{
    static TrainingDevices ThreeGpus(long free0, long free1, long free2, int runsPerDevice = 1) => new(
        [Cuda(0), Cuda(1), Cuda(2)],
        new FakeDeviceMemory(new Dictionary<string, DeviceMemoryReading>
        {
            ["CUDA:0"] = new(free0, 24 * GiB), ["CUDA:1"] = new(free1, 24 * GiB), ["CUDA:2"] = new(free2, 80 * GiB),
        }),
        runsPerDevice);

    [Fact]
    public void A_run_goes_to_the_first_device_with_enough_free_memory_for_its_estimate()
    {
        var devices = ThreeGpus(free0: 2 * GiB, free1: 10 * GiB, free2: 70 * GiB);

        var placement = devices.TryPlace(1, "needs 8 GiB", 8 * GiB);

        Assert.Equal("CUDA:1", placement.Device!.Name);
        Assert.Null(placement.Note);
    }

    [Fact]
    public void The_playground_goes_to_the_device_with_the_most_memory_left_after_the_runs_estimates()
    {
        // CUDA:2 still reports the most free, but the run just placed there is estimated to take most of it.
        var devices = ThreeGpus(free0: 2 * GiB, free1: 10 * GiB, free2: 78 * GiB);
        var placed = devices.TryPlace(1, "on CUDA:2", 75 * GiB);

        var roomiest = devices.Roomiest();

        Assert.Equal("CUDA:2", placed.Device!.Name);
        Assert.Equal("CUDA:1", roomiest.Name);
    }

    [Fact]
    public void The_playground_goes_to_the_first_device_when_none_is_measured()
    {
        var devices = new TrainingDevices([Cuda(0), Cuda(1)], new FakeDeviceMemory(), runsPerDevice: 1);

        Assert.Equal("CUDA:0", devices.Roomiest().Name);
    }

    [Fact]
    public void A_busy_device_is_skipped_even_with_memory_to_spare()
    {
        var devices = ThreeGpus(free0: 20 * GiB, free1: 20 * GiB, free2: 70 * GiB);
        devices.TryPlace(1, "first", 1 * GiB);

        var second = devices.TryPlace(2, "second", 1 * GiB);

        Assert.Equal("CUDA:1", second.Device!.Name);
    }

    [Fact]
    public void A_run_placed_on_a_device_counts_against_its_memory_until_it_ends_even_before_it_allocates()
    {
        // One device, two slots; the driver still reports the memory free because the first run has not allocated yet.
        var devices = new TrainingDevices([Cuda(0)], new FakeDeviceMemory(new Dictionary<string, DeviceMemoryReading> { ["CUDA:0"] = new(10 * GiB, 10 * GiB) }), runsPerDevice: 2);
        devices.TryPlace(1, "first", 6 * GiB);

        var waiting = devices.TryPlace(2, "second", 6 * GiB);
        devices.Release(1);
        var placed = devices.TryPlace(2, "second", 6 * GiB);

        Assert.Null(waiting.Device);
        Assert.Equal("Waiting for a device with 6.0 GiB free: CUDA:0 has 4.0 GiB.", waiting.Note);
        Assert.Equal("CUDA:0", placed.Device!.Name);
        Assert.Null(devices.WaitingReason(2));
    }

    [Fact]
    public void A_run_that_fits_no_free_device_now_waits_naming_what_each_has_free()
    {
        var devices = ThreeGpus(free0: 2 * GiB, free1: 3 * GiB, free2: 70 * GiB);
        devices.TryPlace(1, "big", 60 * GiB);

        var waiting = devices.TryPlace(2, "also big", 20 * GiB);

        Assert.Null(waiting.Device);
        Assert.Equal("Waiting for a device with 20.0 GiB free: CUDA:0 has 2.0 GiB, CUDA:1 has 3.0 GiB.", waiting.Note);
        Assert.Equal(waiting.Note, devices.WaitingReason(2));
        Assert.Null(devices.WaitingReason(1));
        Assert.Equal(["big"], devices.Status().SelectMany(d => d.Runs).Select(r => r.RunName));
    }

    [Fact]
    public void A_run_larger_than_every_device_trains_on_the_first_idle_one_with_a_note()
    {
        var devices = ThreeGpus(free0: 20 * GiB, free1: 20 * GiB, free2: 70 * GiB);
        devices.TryPlace(1, "small", 1 * GiB);

        var placement = devices.TryPlace(2, "huge", 100 * GiB);

        Assert.Equal("CUDA:1", placement.Device!.Name);
        Assert.Equal("The run needs 100 GiB by the estimate, more than any device has (the largest has 80.0 GiB); it trains on CUDA:1 anyway.", placement.Note);
    }

    [Fact]
    public void Without_an_estimate_or_a_reading_a_run_takes_the_first_free_slot()
    {
        var unmeasured = new TrainingDevices([Cuda(0), Cuda(1)], new FakeDeviceMemory(), runsPerDevice: 1);

        var unknownNeed = ThreeGpus(free0: 0, free1: 0, free2: 0).TryPlace(1, "unknown", estimatedBytes: null);
        var unknownMemory = unmeasured.TryPlace(1, "needs 8 GiB", 8 * GiB);

        Assert.Equal("CUDA:0", unknownNeed.Device!.Name);
        Assert.Equal("CUDA:0", unknownMemory.Device!.Name);
    }

    [Fact]
    public void With_every_slot_taken_a_run_waits_without_a_note_until_one_is_released()
    {
        var devices = new TrainingDevices([ComputeDevice.Cpu], new FakeDeviceMemory(), runsPerDevice: 1);
        devices.TryPlace(1, "first", null);

        var waiting = devices.TryPlace(2, "second", null);
        devices.Release(1);

        Assert.Equal(new Placement(null, null), waiting);
        Assert.Equal(ComputeDevice.Cpu, devices.TryPlace(2, "second", null).Device);
    }

    [Fact]
    public void The_status_lists_each_device_in_order_with_its_memory_and_runs()
    {
        var devices = ThreeGpus(free0: 2 * GiB, free1: 10 * GiB, free2: 70 * GiB);
        devices.TryPlace(7, "seven", 8 * GiB);

        var status = devices.Status();

        Assert.Equal(["CUDA:0", "CUDA:1", "CUDA:2"], status.Select(d => d.Name));
        Assert.Equal(new DeviceMemoryReading(10 * GiB, 24 * GiB), status[1].Memory);
        Assert.Equal(new PlacedRun(7, "seven", 8 * GiB), Assert.Single(status[1].Runs));
        Assert.Empty(status[0].Runs);
    }

    [Fact]
    public void The_host_memory_reading_is_mem_available_against_mem_total()
    {
        const string meminfo = "MemTotal:       24576000 kB\nMemFree:         1000000 kB\nMemAvailable:   20480000 kB\n";

        Assert.Equal(new DeviceMemoryReading(20_480_000L * 1024, 24_576_000L * 1024), SystemDeviceMemory.FromMemInfo(meminfo));
        Assert.Null(SystemDeviceMemory.FromMemInfo("MemTotal: 10 kB\n"));
    }

    [Fact]
    public void A_cuda_device_on_a_host_without_a_driver_is_not_measured()
    {
        Assert.Null(new SystemDeviceMemory().Read(Cuda(0)));
    }
}
