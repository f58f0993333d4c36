using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Generation;

/// <summary>
/// The <paramref name="Count"/> virtual tokens a prompt- or prefix-tuning adapter puts in front of every prompt, as a
/// generation needs them: embeddings prepended to the prompt's (prompt tuning), or keys and values already in the
/// cache (prefix tuning). Either way they take positions 0…Count−1 and the prompt follows from Count.
/// </summary>
/// <param name="Embeddings">For a batch of B rows, the (B, Count, D) embeddings in the model's dtype.</param>
/// <param name="PrefilledCache">For a batch of B rows, a cache whose Length is Count.</param>
public sealed record VirtualTokens(int Count, Func<long, Tensor>? Embeddings = null, Func<long, KvCache>? PrefilledCache = null)
{
    public void Validate()
    {
        if (Count <= 0) throw new ArgumentException($"Virtual tokens need a positive count, got {Count}.");
        if ((Embeddings is null) == (PrefilledCache is null))
            throw new ArgumentException("Virtual tokens come either as embeddings or as a prefilled cache, exactly one of them.");
    }
}
