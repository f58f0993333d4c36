using LoraLab.Engine.Training;

namespace LoraLab.Engine.Tests.Training;

public class LearningRateSchedulesTests
{
    [Theory]
    [InlineData(0, 0.0)]      // the first step of a warm-up runs at zero, as in transformers
    [InlineData(5, 0.5)]
    [InlineData(10, 1.0)]
    [InlineData(55, 0.5)]     // (100 − 55) / (100 − 10)
    [InlineData(99, 1.0 / 90)]
    [InlineData(100, 0.0)]
    [InlineData(120, 0.0)]    // never negative past the end
    public void Linear_warms_up_then_decays_to_zero_at_the_last_step(long step, double expected)
    {
        Assert.Equal(expected, LearningRateSchedules.Multiplier(LearningRateSchedule.Linear, step, 10, 100), 12);
    }

    [Theory]
    [InlineData(5, 0.5)]
    [InlineData(10, 1.0)]
    [InlineData(35, 0.853553390593274)]   // ½(1 + cos(π/4)): a quarter of the way
    [InlineData(60, 0.5)]                 // ½(1 + cos(π/2)): half way
    [InlineData(85, 0.146446609406726)]   // ½(1 + cos(3π/4))
    [InlineData(110, 0.0)]
    public void Cosine_follows_half_a_cosine_wave_after_warm_up(long step, double expected)
    {
        Assert.Equal(expected, LearningRateSchedules.Multiplier(LearningRateSchedule.Cosine, step, 10, 110), 12);
    }

    [Theory]
    [InlineData(1, 0.25)]
    [InlineData(4, 1.0)]
    [InlineData(1000, 1.0)]
    public void Constant_holds_after_its_warm_up(long step, double expected)
    {
        Assert.Equal(expected, LearningRateSchedules.Multiplier(LearningRateSchedule.Constant, step, 4, 10), 12);
    }

    [Fact]
    public void Without_warm_up_the_first_step_runs_at_the_full_rate()
    {
        Assert.Equal(1.0, LearningRateSchedules.Multiplier(LearningRateSchedule.Linear, 0, 0, 50));
        Assert.Equal(1.0, LearningRateSchedules.Multiplier(LearningRateSchedule.Cosine, 0, 0, 50));
    }

    [Fact]
    public void A_warm_up_ratio_rounds_up_and_explicit_steps_win()
    {
        Assert.Equal(10, LearningRateSchedules.WarmupSteps(null, 0.1, 95));   // ⌈9.5⌉
        Assert.Equal(0, LearningRateSchedules.WarmupSteps(null, 0, 95));
        Assert.Equal(3, LearningRateSchedules.WarmupSteps(3, 0.5, 95));
    }

    [Fact]
    public void Total_steps_come_from_epochs_unless_max_steps_is_set()
    {
        var options = new TrainingOptions { Epochs = 2, GradientAccumulationSteps = 3 };

        Assert.Equal(7, Trainer.TotalSteps(options, batchesPerEpoch: 10));              // ⌈20 / 3⌉
        Assert.Equal(2, Trainer.TotalSteps(options with { Epochs = 0.5 }, 10));          // ⌈5 / 3⌉
        Assert.Equal(4, Trainer.TotalSteps(options with { MaxSteps = 4 }, 10));
    }
}
