using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Quantization;

/// <summary>A weight (out, in) and optional bias seen as a linear layer, to quantize without building a module.</summary>
sealed class DenseWeights(Tensor weight, Tensor? bias = null) : ILinearWeights
{
    public long InFeatures => weight.shape[1];
    public long OutFeatures => weight.shape[0];
    public Tensor DenseWeight() => weight;
    public Tensor? Bias => bias;
}
