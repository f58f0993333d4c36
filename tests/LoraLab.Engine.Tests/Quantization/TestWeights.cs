namespace LoraLab.Engine.Tests.Quantization;

/// <summary>Reproducible float32 weights for quantization tests.</summary>
static class TestWeights
{
    public static float[] Gaussian(int count, int seed, double std = 1.0)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            // Box–Muller.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            values[i] = (float)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return values;
    }

    /// <summary>
    /// Gaussian weights whose 64-blocks include the hard cases: all zeros, a single non-zero, magnitudes near float32's
    /// largest and smallest (subnormal) values side by side, ties with a block's own absmax, and a short last block.
    /// </summary>
    public static float[] WithHardBlocks(int seed)
    {
        var values = Gaussian(64 * 40 + 23, seed);
        Array.Clear(values, 64 * 3, 64);                                        // block 3: zeros
        Array.Clear(values, 64 * 7, 64);
        values[64 * 7 + 5] = -2.5f;                                             // block 7: one value
        float[] extremes = [3.0e38f, -3.0e38f, 1e-30f, -1e-45f, float.Epsilon, 1.0f, -1.7e38f, 6e-39f];
        extremes.CopyTo(values, 64 * 11);                                       // block 11: huge beside tiny
        for (int i = 0; i < 64; i++) values[64 * 13 + i] = i % 2 == 0 ? 1e-40f : -1e-40f;   // block 13: subnormals only
        for (int i = 0; i < 64; i++) values[64 * 17 + i] = (i % 5 - 2) * 0.5f;              // block 17: exact fractions of the absmax
        return values;
    }
}
