using LoraLab.Web.Components.Shared;

namespace LoraLab.Web.Tests.Components.Shared;

public sealed class ChartScaleTests
{
    [Fact]
    public void A_range_gets_round_ticks_at_one_two_or_five_times_a_power_of_ten()
    {
        var scale = ChartScale.Covering(0.37, 2.61, 5);

        // (2.61 − 0.37) / 4 = 0.56 rounds up to the step 1; the range widens to whole steps around the data.
        Assert.Equal([0.0, 1.0, 2.0, 3.0], scale.Ticks);
        Assert.Equal((0.0, 3.0), (scale.Min, scale.Max));
    }

    [Fact]
    public void Learning_rates_get_ticks_at_multiples_of_a_small_round_step()
    {
        var scale = ChartScale.Covering(1e-5, 2e-4, 5);

        double[] expected = [0, 5e-5, 1e-4, 1.5e-4, 2e-4];
        Assert.Equal(expected.Length, scale.Ticks.Count);
        Assert.All(expected.Zip(scale.Ticks), pair => Assert.Equal(pair.First, pair.Second, 1e-15));
    }

    [Fact]
    public void A_flat_series_gets_a_visible_range_around_its_value()
    {
        var scale = ChartScale.Covering(2.0, 2.0, 5);

        Assert.True(scale.Min < 2.0 && scale.Max > 2.0);
        Assert.Equal(0.5, scale.Fraction(2.0), 6);
    }
}
