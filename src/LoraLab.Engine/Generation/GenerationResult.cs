namespace LoraLab.Engine.Generation;

/// <summary>Why a row stopped: an EOS token, a stop string, max_new_tokens, or cancellation.</summary>
public enum FinishReason { Eos, Stop, Length, Cancelled }

/// <summary>One row's output.</summary>
/// <param name="TokenIds">The generated ids, without the EOS token that ended the row (stop string tokens are kept).</param>
/// <param name="Text">The decoded text without the stop string and what follows it; null without a decode function.</param>
public sealed record GenerationResult(IReadOnlyList<int> TokenIds, FinishReason FinishReason, string? Text);
