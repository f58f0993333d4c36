using LoraLab.Engine.Generation;

namespace LoraLab.Engine.Serving;

/// <summary>What one step of a <see cref="ContinuousBatch"/> produced for one of its rows.</summary>
/// <param name="Logprobs">The chosen token's log-probability and the most likely alternatives; null unless the row asked for them.</param>
public sealed record BatchRowStep(BatchRow Row, RowStep Step, TokenLogprobs? Logprobs);

/// <summary>Log-probabilities under the model's own distribution (before temperature and top-p), as OpenAI reports them.</summary>
public sealed record TokenLogprobs(int TokenId, float Logprob, IReadOnlyList<(int TokenId, float Logprob)> Top);
