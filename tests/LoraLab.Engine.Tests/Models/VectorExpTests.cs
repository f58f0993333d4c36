using System.Runtime.Intrinsics;
using LoraLab.Engine.Models;

namespace LoraLab.Engine.Tests.Models;

/// <summary>
/// The fused layer's 8-lane e^x against the float64 Math.Exp. Cephes' expf (which it follows) is within 1.7e-7 relative
/// error of e^x in exact arithmetic; evaluated in float32 with fused multiply-adds, the polynomial and the final product
/// with 2^n add at most about two roundings (2 · 6e-8), hence the bound of 4e-7 (3.4 units in the last place at 1).
/// </summary>
public class VectorExpTests
{
    [Fact]
    public void The_vector_exp_is_within_a_few_units_in_the_last_place_of_exp_over_the_float_range()
    {
        double worst = 0, worstAt = 0;
        var lanes = new float[8];
        for (double start = -87.0; start < 88.0; start += 8 * 0.0007)
        {
            for (int i = 0; i < 8; i++) lanes[i] = (float)(start + i * 0.0007);
            var e = FusedDecodeKernels.Exp(Vector256.Create(lanes));
            for (int i = 0; i < 8; i++)
            {
                double exact = Math.Exp(lanes[i]), error = Math.Abs(e.GetElement(i) - exact) / exact;
                if (error > worst) (worst, worstAt) = (error, lanes[i]);
            }
        }
        Assert.True(worst <= 4e-7, $"relative error {worst:E2} at x = {worstAt}");
    }

    [Fact]
    public void The_vector_exp_of_minus_infinity_and_of_far_below_the_float_range_is_zero_and_of_zero_is_one()
    {
        var e = FusedDecodeKernels.Exp(Vector256.Create(float.NegativeInfinity, -1000f, -88f, 0f, 1f, -1f, 88f, 10f));
        Assert.Equal(0f, e.GetElement(0));
        Assert.Equal(0f, e.GetElement(1));
        Assert.Equal(0f, e.GetElement(2));
        Assert.Equal(1f, e.GetElement(3));
        Assert.Equal(Math.E, e.GetElement(4), 1e-6);
        Assert.Equal(1 / Math.E, e.GetElement(5), 1e-7);
        Assert.Equal(Math.Exp(88), e.GetElement(6), Math.Exp(88) * 4e-7);
        Assert.Equal(Math.Exp(10), e.GetElement(7), Math.Exp(10) * 4e-7);
    }
}
