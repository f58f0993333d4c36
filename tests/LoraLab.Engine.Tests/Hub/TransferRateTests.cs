using LoraLab.Engine.Hub;

namespace LoraLab.Engine.Tests.Hub;

public sealed class TransferRateTests
{
    /// <summary>A clock the test moves by hand.</summary>
    sealed class ManualClock : TimeProvider
    {
        long ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => ticks;
        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }

    [Fact]
    public void The_rate_is_the_bytes_since_the_first_sample_over_the_time_since_then()
    {
        var clock = new ManualClock();
        var rate = new TransferRate(clock, TimeSpan.FromSeconds(5));

        rate.Add(100);
        clock.Advance(TimeSpan.FromSeconds(1));
        rate.Add(1000);
        clock.Advance(TimeSpan.FromSeconds(1));
        rate.Add(1000);

        // 2000 bytes arrived in the 2 s after the first sample.
        Assert.Equal(1000, rate.BytesPerSecond);
    }

    [Fact]
    public void Samples_older_than_the_window_stop_counting()
    {
        var clock = new ManualClock();
        var rate = new TransferRate(clock, TimeSpan.FromSeconds(5));
        rate.Add(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        rate.Add(1_000_000);
        for (int second = 0; second < 10; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            rate.Add(10);
        }

        // The burst of the second second is out of the window: 10 bytes a second remain.
        Assert.InRange(rate.BytesPerSecond, 9.9, 10.1);
    }

    [Fact]
    public void A_stalled_transfer_shows_a_falling_rate()
    {
        var clock = new ManualClock();
        var rate = new TransferRate(clock, TimeSpan.FromSeconds(5));
        rate.Add(0);
        clock.Advance(TimeSpan.FromSeconds(1));
        rate.Add(1000);
        double before = rate.BytesPerSecond;

        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal((1000.0, 250.0), (before, rate.BytesPerSecond));
    }

    [Theory]
    [InlineData(812, "812 B")]
    [InlineData(1536, "1.50 KiB")]
    [InlineData(52_428_800, "50.0 MiB")]
    [InlineData(2_480_000_000, "2.31 GiB")]
    public void Sizes_are_written_in_binary_units(long bytes, string text) => Assert.Equal(text, ByteCount.Format(bytes));

    [Fact]
    public void A_full_disk_is_recognised_from_the_write_error()
    {
        using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);

        var error = Assert.ThrowsAny<IOException>(() => full.Write(new byte[1]));

        Assert.True(DiskSpace.IsDiskFull(error), $"HResult {error.HResult} was not recognised as a full disk.");
    }
}
