using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LoraLab.Engine.Peft.Lora;

/// <summary>
/// One adapter's low-rank factors on one linear layer (Hu et al. 2021): ΔW = s·B·A with A (r, in) and B (out, r).
/// With DoRA (Liu et al. 2024) it also holds the magnitude vector m (out).
/// </summary>
public sealed class LoraAdapter : nn.Module
{
    public Parameter lora_A;
    public Parameter lora_B;
    public Parameter? lora_magnitude_vector;

    public LoraAdapter(long inFeatures, long outFeatures, int rank, double scaling, double dropout, bool dora, Device device)
        : base("LoraAdapter")
    {
        // Adapter weights stay float32 whatever the base's compute dtype, as PEFT's autocast_adapter_dtype does.
        lora_A = new Parameter(zeros([rank, inFeatures], ScalarType.Float32, device));
        lora_B = new Parameter(zeros([outFeatures, rank], ScalarType.Float32, device));
        lora_magnitude_vector = dora ? new Parameter(ones([outFeatures], ScalarType.Float32, device)) : null;
        Rank = rank;
        Scaling = scaling;
        Dropout = dropout;
        RegisterComponents();
    }

    public int Rank { get; }
    public double Scaling { get; }
    public double Dropout { get; }
    public bool IsDora => lora_magnitude_vector is not null;

    /// <summary>
    /// <paramref name="baseResult"/> (…, out) + s·B·(A·dropout(x)) for x (…, in), in x's dtype, as one matrix multiply-add.
    /// Adding separately would take two more passes over the (…, out) output, which cost more than the rank-r products.
    /// </summary>
    public Tensor AddLowRankOutput(Tensor baseResult, Tensor x)
    {
        using var scope = NewDisposeScope();
        long outFeatures = baseResult.shape[^1];
        var input = training && Dropout > 0 ? nn.functional.dropout(x, Dropout, training: true) : x;
        var down = nn.functional.linear(input, lora_A.to(x.dtype)).reshape(-1, Rank);            // (N, r)
        var scaledB = (lora_B * Scaling).to(x.dtype);                                              // (out, r): s on r columns, not on the output
        var y = baseResult.reshape(-1, outFeatures).addmm(down, scaledB.t());                     // (N, out)
        return y.view(baseResult.shape).MoveToOuterDisposeScope();
    }

    /// <summary>s·B·A as a dense (out, in) matrix in <paramref name="dtype"/>.</summary>
    public Tensor DeltaWeight(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        return (lora_B.matmul(lora_A) * Scaling).to(dtype).MoveToOuterDisposeScope();
    }
}
