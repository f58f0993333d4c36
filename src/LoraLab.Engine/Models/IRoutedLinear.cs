using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// A wrapper of a linear layer (an adapter's) whose decode-step output <see cref="FusedDecodeLayer"/> may compute on
/// raw pointers: base(x) + ((x·Aᵀ) ⊙ rowMask)·Bᵀ, the form of a routed mixed batch (Punica, S-LoRA), or base(x) alone.
/// The interface lives here so that the model code needs nothing of the adapter code.
/// </summary>
internal interface IRoutedLinear
{
    /// <summary>
    /// The plain base layer and, when an update applies, its factors A (R, in) and B (out, R) and the per-row mask
    /// (rows, R); false when the wrapper must run its own forward for these <paramref name="rows"/>.
    /// </summary>
    bool TryRouted(long rows, out LinearLayer baseLayer, out (Tensor A, Tensor B, Tensor RowMask)? update);
}
