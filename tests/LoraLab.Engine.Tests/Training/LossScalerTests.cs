using LoraLab.Engine.Training;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Training;

public class LossScalerTests
{
    [Fact]
    public void Unscaling_divides_the_gradients_by_the_scale()
    {
        var scaler = new LossScaler(scale: 1024);
        var g = tensor(new float[] { 2048f, -512f });

        bool overflow = scaler.Unscale([g]);

        Assert.False(overflow);
        Assert.Equal([2f, -0.5f], g.data<float>().ToArray());
    }

    [Fact]
    public void An_overflow_is_reported_and_halves_the_scale()
    {
        var scaler = new LossScaler();

        bool overflow = scaler.Unscale([tensor(new float[] { 1f }), tensor(new float[] { float.PositiveInfinity, 0f })]);
        scaler.Update(overflow);

        Assert.True(overflow);
        Assert.Equal(32768, scaler.Scale);
        Assert.True(scaler.Unscale([tensor(new float[] { float.NaN })]));
    }

    [Fact]
    public void The_scale_doubles_after_two_thousand_clean_steps_in_a_row()
    {
        var scaler = new LossScaler(scale: 8, cleanSteps: 0);
        for (int i = 0; i < 1999; i++) scaler.Update(overflow: false);
        Assert.Equal((8.0, 1999), (scaler.Scale, scaler.CleanSteps));

        scaler.Update(overflow: false);
        Assert.Equal((16.0, 0), (scaler.Scale, scaler.CleanSteps));

        scaler.Update(overflow: false);
        scaler.Update(overflow: true);
        Assert.Equal((8.0, 0), (scaler.Scale, scaler.CleanSteps));
    }
}
