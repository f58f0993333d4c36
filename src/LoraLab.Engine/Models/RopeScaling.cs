namespace LoraLab.Engine.Models;

/// <summary>
/// A <c>rope_scaling</c> (or <c>rope_parameters</c>) entry of config.json, one record per <c>rope_type</c> that
/// transformers' <c>modeling_rope_utils.py</c> implements and this engine supports.
/// </summary>
public abstract record RopeScaling(double Factor)
{
    public abstract string RopeType { get; }
}

/// <summary>Position interpolation: every inverse frequency divided by the factor (positions / factor).</summary>
public sealed record LinearRopeScaling(double Factor) : RopeScaling(Factor)
{
    public override string RopeType => "linear";
}

/// <summary>
/// Dynamic NTK: when a forward pass reaches past <paramref name="OriginalMaxPositionEmbeddings"/> positions, the base
/// becomes θ·(factor·L/L₀ − (factor − 1))^(d/(d−2)) for that length L (transformers' <c>dynamic_rope_update</c>).
/// </summary>
public sealed record DynamicRopeScaling(double Factor, int OriginalMaxPositionEmbeddings) : RopeScaling(Factor)
{
    public override string RopeType => "dynamic";
}

/// <summary>Llama 3.1-style frequency-dependent RoPE scaling (<c>rope_type == "llama3"</c>).</summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings)
    : RopeScaling(Factor)
{
    public override string RopeType => "llama3";
}

/// <summary>
/// YaRN (Peng et al., 2023): inverse frequencies blended between interpolated and extrapolated by a linear ramp over the
/// dimensions between the beta_fast and beta_slow rotation counts; cos and sin multiplied by an attention factor.
/// </summary>
public sealed record YarnRopeScaling(
    double Factor, int OriginalMaxPositionEmbeddings, double BetaFast, double BetaSlow,
    double? AttentionFactorOverride, double? Mscale, double? MscaleAllDim, bool Truncate) : RopeScaling(Factor)
{
    public override string RopeType => "yarn";

    /// <summary>The published default 0.1·ln(factor) + 1, or the ratio of the two mscales when both are given.</summary>
    public double AttentionFactor => AttentionFactorOverride
        ?? (Mscale is { } m && m != 0 && MscaleAllDim is { } all && all != 0 ? YarnMscale(Factor, m) / YarnMscale(Factor, all) : YarnMscale(Factor, 1));

    static double YarnMscale(double scale, double mscale) => scale <= 1 ? 1.0 : 0.1 * mscale * Math.Log(scale) + 1.0;
}
