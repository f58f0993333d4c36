using static TorchSharp.torch;

namespace LoraLab.Engine.Models;

/// <summary>
/// A wrapper of a linear layer (an adapter's) whose decode-step output <see cref="FusedDecodeLayer"/> may compute on
/// raw pointers: base(x) plus, on each row, its own adapter's block of (x·Aᵀ)·(s·B)ᵀ, the form of a routed mixed batch
/// (Punica, S-LoRA), or base(x) alone.
/// The interface lives here so that the model code needs nothing of the adapter code.
/// </summary>
internal interface IRoutedLinear
{
    /// <summary>
    /// The plain base layer and, when an update applies, its stacked factors and row slots; false when the wrapper must
    /// run its own forward for these <paramref name="rows"/>.
    /// </summary>
    bool TryRouted(long rows, out LinearLayer baseLayer, out RoutedUpdate? update);
}

/// <summary>K adapters' low-rank updates of one linear layer, stacked for a mixed batch whose row m uses adapter RowSlot[m].</summary>
/// <param name="A">(K·r, in) float32: the A factors, each zero-padded to rank <paramref name="Rank"/>.</param>
/// <param name="UpT">(K·r, out) float32: the (s·B)ᵀ factors, likewise.</param>
/// <param name="RowSlot">(rows) int64: each row's adapter k, or K for a row with none.</param>
internal readonly record struct RoutedUpdate(Tensor A, Tensor UpT, Tensor RowSlot, long Rank);
