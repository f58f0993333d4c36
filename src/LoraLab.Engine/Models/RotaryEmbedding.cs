using TorchSharp;
using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>Rotary position embeddings in the rotate-half layout that Hugging Face checkpoints are trained with.</summary>
public static class RotaryEmbedding
{
    /// <summary>θ^(−2i/d) for i in [0, d/2), with Llama 3.1's scaling applied when configured.</summary>
    public static double[] InverseFrequencies(int headDim, double theta, Llama3RopeScaling? scaling)
    {
        var inv = new double[headDim / 2];
        for (int i = 0; i < inv.Length; i++)
        {
            // transformers computes the exponent and power in float32; we mirror it so long contexts match too.
            float exponent = (float)(2 * i) / headDim;
            inv[i] = 1.0f / MathF.Pow((float)theta, exponent);
        }
        return scaling is null ? inv : ApplyLlama3Scaling(inv, scaling);
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

    /// <summary>cos and sin of shape (B, 1, T, hD) for integer positions (B, T), computed in float32, returned in <paramref name="dtype"/>.</summary>
    public static (Tensor Cos, Tensor Sin) CosSin(Tensor positions, Tensor inverseFrequencies, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var freqs = positions.to(ScalarType.Float32).unsqueeze(-1) * inverseFrequencies;   // (B, T, hD/2)
        var angles = cat([freqs, freqs], dim: -1).unsqueeze(1);                              // (B, 1, T, hD)
        var cos = angles.cos().to(dtype).MoveToOuterDisposeScope();
        var sin = angles.sin().to(dtype).MoveToOuterDisposeScope();
        return (cos, sin);
    }

    /// <summary>x·cos + rotate_half(x)·sin for x of shape (B, H, T, hD), with rotate_half(x) = [−x₂, x₁] (<see cref="RotaryFunction"/>).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin) => RotaryFunction.Apply(x, cos, sin);
}
