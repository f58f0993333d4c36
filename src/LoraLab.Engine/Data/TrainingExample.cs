namespace LoraLab.Engine.Data;

/// <summary>
/// One sequence for the trainer. Labels are aligned with the input ids as in Hugging Face (label i is token i; the loss
/// compares the logits at i with label i + 1) and are <see cref="IgnoreLabel"/> where no loss is taken.
/// </summary>
/// <param name="SegmentIds">For a packed sequence, which example each token belongs to (0, 1, …); null for one example.</param>
/// <param name="Positions">For a packed sequence, each token's position within its own example, from 0; null for one example.</param>
public sealed record TrainingExample(int[] InputIds, int[] Labels, int[]? SegmentIds = null, int[]? Positions = null)
{
    /// <summary>PyTorch's cross_entropy ignore_index.</summary>
    public const int IgnoreLabel = -100;

    public int Length => InputIds.Length;

    public bool IsPacked => SegmentIds is not null;

    /// <param name="lossOnAllTokens">Learn the prompt too, instead of only the completion (assistant turns, outputs, raw text).</param>
    public static TrainingExample From(EncodedExample example, bool lossOnAllTokens) =>
        new(example.Ids, example.Ids.Select((id, i) => lossOnAllTokens || example.IsCompletion[i] ? id : IgnoreLabel).ToArray());
}
