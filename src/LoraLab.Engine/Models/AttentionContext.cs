using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>What every layer's attention needs for one forward pass, computed once by the decoder.</summary>
/// <param name="Cos">(B, 1, T, hD)</param>
/// <param name="Sin">(B, 1, T, hD)</param>
/// <param name="Mask">(B, 1, T, Tk) boolean, or null for plain causal attention over a fresh sequence.</param>
/// <param name="Cache">The KV cache to append to and attend over, or null.</param>
public readonly record struct AttentionContext(Tensor Cos, Tensor Sin, Tensor? Mask, KvCache? Cache);
