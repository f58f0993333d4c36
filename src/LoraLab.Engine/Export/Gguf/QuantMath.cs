namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// The helpers of ggml-quants.c that the k-quants share, in the same float32 operations and order, so blocks come out
/// bit for bit as llama.cpp's reference quantizers write them.
/// </summary>
internal static class QuantMath
{
    /// <summary>Ties to even, by adding 1.5·2^23 and reading the mantissa (ggml's <c>nearest_int</c>); valid for |x| ≤ 2^22.</summary>
    public static int NearestInt(float value)
    {
        float shifted = value + 12582912f;
        int bits = BitConverter.SingleToInt32Bits(shifted);
        return (bits & 0x007fffff) - 0x00400000;
    }

    const float GroupMaxEps = 1e-15f;

    /// <summary>
    /// A symmetric scale for <paramref name="x"/> with levels in [-nmax, nmax) stored as L + nmax, searching 18 scales
    /// around nmax/max for the best weighted fit; ggml's <c>make_qx_quants</c> with rmse_type 1 (weights x²) and no
    /// importance weights, the only form the reference Q6_K uses.
    /// </summary>
    public static float MakeQxQuants(int n, int nmax, ReadOnlySpan<float> x, Span<sbyte> levels)
    {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax) { amax = ax; max = x[i]; }
        }
        if (amax < GroupMaxEps)
        {
            levels[..n].Clear();
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++)
        {
            int l = Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
            levels[i] = (sbyte)(l + nmax);
            float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int step = -9; step <= 9; step++)
        {
            if (step == 0) continue;
            iscale = -(nmax + 0.1f * step) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++)
            {
                int l = Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
                float w = x[i] * x[i];
                sumlx += w * x[i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2)
            {
                for (int i = 0; i < n; i++) levels[i] = (sbyte)(nmax + Math.Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1));
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /// <summary>
    /// An asymmetric scale and minimum for <paramref name="x"/> with levels in [0, nmax]: starts from (max − min)/nmax and
    /// tries <paramref name="steps"/> + 1 scales, solving the weighted least squares for scale and min at each;
    /// ggml's <c>make_qkx2_quants</c> (use_mad false, the form the reference Q4_K uses). Returns the scale; the
    /// minimum comes back negated, as ggml returns it.
    /// </summary>
    public static float MakeQkx2Quants(int n, int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> levels,
        out float negatedMin, Span<byte> scratch, float rmin, float rdelta, int steps)
    {
        float min = x[0], max = x[0];
        float sumW = weights[0];
        float sumX = sumW * x[0];
        for (int i = 1; i < n; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }
        if (min > 0) min = 0;
        if (max == min)
        {
            levels[..n].Clear();
            negatedMin = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++)
        {
            int l = NearestInt(iscale * (x[i] - min));
            levels[i] = (byte)Math.Clamp(l, 0, nmax);
            float diff = scale * levels[i] + min - x[i];
            bestError += weights[i] * (diff * diff);
        }
        if (steps < 1)
        {
            negatedMin = -min;
            return scale;
        }
        for (int step = 0; step <= steps; step++)
        {
            iscale = (rmin + rdelta * step + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++)
            {
                int l = Math.Clamp(NearestInt(iscale * (x[i] - min)), 0, nmax);
                scratch[i] = (byte)l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[i];
            }
            float determinant = sumW * sumL2 - sumL * sumL;
            if (determinant > 0)
            {
                float thisScale = (sumW * sumXL - sumX * sumL) / determinant;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / determinant;
                if (thisMin > 0)
                {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++)
                {
                    float diff = thisScale * scratch[i] + thisMin - x[i];
                    error += weights[i] * (diff * diff);
                }
                if (error < bestError)
                {
                    scratch[..n].CopyTo(levels);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        negatedMin = -min;
        return scale;
    }
}
