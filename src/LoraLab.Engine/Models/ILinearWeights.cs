using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>A frozen linear layer's weights as dense tensors, whatever its storage (plain or quantized).</summary>
public interface ILinearWeights
{
    long InFeatures { get; }
    long OutFeatures { get; }
    /// <summary>W of shape (out, in) in the compute dtype; for quantized storage a fresh dequantized tensor.</summary>
    Tensor DenseWeight();
    Tensor? Bias { get; }
}
