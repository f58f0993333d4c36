using LoraLab.Web.Components.Pages.Sweeps;

namespace LoraLab.Web.Tests.Components.Sweeps;

public sealed class SweepScatterAxisTests
{
    [Fact]
    public void Positive_values_spanning_more_than_ten_times_are_placed_on_a_log_axis()
    {
        var axis = SweepScatterAxis.For([1e-3, 1e-5, 1e-4]);

        Assert.True(axis.Log);
        Assert.Equal([1e-5, 1e-4, 1e-3], axis.Ticks);
        Assert.Equal(0.5, axis.Fraction(1e-4), 9);
    }

    [Theory]
    [InlineData(new[] { 1e-4, 1e-3 })]
    [InlineData(new[] { 4.0, 8, 16, 32 })]
    [InlineData(new[] { 0.0, 0.05, 0.1 })]
    public void Values_within_ten_times_or_from_zero_stay_linear(double[] values)
    {
        var axis = SweepScatterAxis.For(values);

        Assert.False(axis.Log);
        Assert.Equal(0.0, axis.Fraction(values.Min()));
        Assert.Equal(1.0, axis.Fraction(values.Max()));
    }

    [Fact]
    public void A_single_value_sits_in_the_middle()
    {
        Assert.Equal(0.5, SweepScatterAxis.For([8]).Fraction(8));
    }
}
