namespace LoraLab.Engine.Data;

/// <summary>One record as token ids, and which of them are the completion the model learns to produce.</summary>
/// <param name="Truncated">Cut to the maximum length.</param>
public sealed record EncodedExample(int Line, int[] Ids, bool[] IsCompletion, bool Truncated)
{
    public int Length => Ids.Length;

    public int CompletionTokens => IsCompletion.Count(c => c);
}

/// <summary>The records that became examples and those that could not (template rejection, over-long).</summary>
public sealed record EncodedDataset(IReadOnlyList<EncodedExample> Examples, IReadOnlyList<DatasetIssue> Issues)
{
    public int Truncated => Examples.Count(e => e.Truncated);
}
