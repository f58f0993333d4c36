namespace LoraLab.Engine.Generation;

/// <summary>What one decoding step produced for every row, for printing tokens as they come.</summary>
/// <param name="Index">0 for the token after the prompt (the prefill step), then 1, 2, …</param>
public sealed record GenerationStep(int Index, IReadOnlyList<RowStep> Rows);

/// <param name="TokenId">The token chosen at this step, or -1 when the row had finished before it.</param>
/// <param name="Text">New text that can be shown: it excludes a possible beginning of a stop string and incomplete
/// characters until they resolve, and everything is flushed on the step that finishes the row. Empty without a decode function.</param>
/// <param name="FinishReason">Set from the step on which the row finished.</param>
public readonly record struct RowStep(int TokenId, string Text, FinishReason? FinishReason)
{
    public bool IsFinished => FinishReason is not null;
}
