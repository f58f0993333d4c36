using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>Rotary position embeddings in the rotate-half layout that Hugging Face checkpoints are trained with.</summary>
public static class RotaryEmbedding
{
    /// <summary>
    /// θ^(−2i/d) for i in [0, d/2), scaled as transformers' <c>modeling_rope_utils.py</c> does for the configured rope_type.
    /// <paramref name="sequenceLength"/> is the length a forward pass reaches; only dynamic NTK scaling depends on it.
    /// </summary>
    public static double[] InverseFrequencies(int headDim, double theta, RopeScaling? scaling, long sequenceLength = 0) => scaling switch
    {
        null => Unscaled(headDim, theta),
        LinearRopeScaling s => Unscaled(headDim, theta).Select(f => f / s.Factor).ToArray(),
        DynamicRopeScaling s => Unscaled(headDim, DynamicBase(headDim, theta, s, sequenceLength)),
        Llama3RopeScaling s => ApplyLlama3Scaling(Unscaled(headDim, theta), s),
        YarnRopeScaling s => Yarn(headDim, theta, s),
        _ => throw new NotSupportedException($"rope_type '{scaling.RopeType}' has no inverse frequencies here."),
    };

    /// <summary>The factor cos and sin are multiplied by: YaRN's attention factor, 1 for every other kind.</summary>
    public static double AttentionScaling(RopeScaling? scaling) => scaling is YarnRopeScaling y ? y.AttentionFactor : 1.0;

    /// <summary>Whether the frequencies depend on the forward length, so must be recomputed when it passes the original context.</summary>
    public static bool NeedsRecompute(RopeScaling? scaling, long sequenceLength) =>
        scaling is DynamicRopeScaling d && sequenceLength > d.OriginalMaxPositionEmbeddings;

    static double[] Unscaled(int headDim, double theta)
    {
        var inv = new double[headDim / 2];
        for (int i = 0; i < inv.Length; i++)
        {
            // transformers computes the exponent and power in float32; we mirror it so long contexts match too.
            float exponent = (float)(2 * i) / headDim;
            inv[i] = 1.0f / MathF.Pow((float)theta, exponent);
        }
        return inv;
    }

    /// <summary>transformers' <c>_compute_dynamic_ntk_parameters</c>: L is the forward length, at least the original context.</summary>
    static double DynamicBase(int headDim, double theta, DynamicRopeScaling s, long sequenceLength)
    {
        double L = Math.Max(sequenceLength, s.OriginalMaxPositionEmbeddings);
        return theta * Math.Pow(s.Factor * L / s.OriginalMaxPositionEmbeddings - (s.Factor - 1), headDim / (headDim - 2.0));
    }

    /// <summary>
    /// transformers' <c>_compute_yarn_parameters</c>: the dimensions whose rotation count over the original context lies
    /// between beta_fast and beta_slow get a linear blend of extrapolated (θ^(−2i/d)) and interpolated (÷ factor) frequencies.
    /// </summary>
    static double[] Yarn(int headDim, double theta, YarnRopeScaling s)
    {
        double CorrectionDim(double rotations) =>
            headDim * Math.Log(s.OriginalMaxPositionEmbeddings / (rotations * 2 * Math.PI)) / (2 * Math.Log(theta));
        double low = CorrectionDim(s.BetaFast), high = CorrectionDim(s.BetaSlow);
        if (s.Truncate) { low = Math.Floor(low); high = Math.Ceiling(high); }
        low = Math.Max(low, 0);
        high = Math.Min(high, headDim - 1);
        if (low == high) high += 0.001;
        var extrapolated = Unscaled(headDim, theta);
        return extrapolated.Select((f, i) =>
        {
            double ramp = Math.Clamp((i - low) / (high - low), 0, 1);
            double extrapolationWeight = 1 - ramp;
            return f / s.Factor * (1 - extrapolationWeight) + f * extrapolationWeight;
        }).ToArray();
    }

    /// <summary>
    /// Llama 3.1 (Meta, 2024; transformers' <c>_compute_llama3_parameters</c>): long wavelengths are divided by the factor,
    /// short ones kept, and the band in between interpolated smoothly.
    /// </summary>
    static double[] ApplyLlama3Scaling(double[] inv, Llama3RopeScaling s)
    {
        double lowFreqWavelen = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        double highFreqWavelen = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        return inv.Select(f =>
        {
            double wavelen = 2 * Math.PI / f;
            if (wavelen < highFreqWavelen) return f;
            if (wavelen > lowFreqWavelen) return f / s.Factor;
            double smooth = (s.OriginalMaxPositionEmbeddings / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
            return (1 - smooth) * f / s.Factor + smooth * f;
        }).ToArray();
    }

    /// <summary>cos and sin of shape (B, 1, T, hD) for integer positions (B, T), times the attention scaling (YaRN),, computed in float32, returned in <paramref name="dtype"/>.</summary>
    public static (Tensor Cos, Tensor Sin) CosSin(Tensor positions, Tensor inverseFrequencies, ScalarType dtype, double attentionScaling = 1.0)
    {
        using var scope = NewDisposeScope();
        var freqs = positions.to(ScalarType.Float32).unsqueeze(-1) * inverseFrequencies;   // (B, T, hD/2)
        var angles = cat([freqs, freqs], dim: -1).unsqueeze(1);                              // (B, 1, T, hD)
        var cos = (angles.cos() * attentionScaling).to(dtype).MoveToOuterDisposeScope();
        var sin = (angles.sin() * attentionScaling).to(dtype).MoveToOuterDisposeScope();
        return (cos, sin);
    }

    /// <summary>x·cos + rotate_half(x)·sin for x of shape (B, H, T, hD), with rotate_half(x) = [−x₂, x₁] (<see cref="RotaryFunction"/>).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin) => RotaryFunction.Apply(x, cos, sin);
}
