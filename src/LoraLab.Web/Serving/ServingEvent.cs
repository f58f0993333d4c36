using LoraLab.Engine.Generation;
using LoraLab.Engine.Serving;

namespace LoraLab.Web.Serving;

/// <summary>What the serving thread tells the request handler, in order: admitted (or failed), tokens, finished.</summary>
public abstract record ServingEvent;

/// <summary>The prompt was read and its rows joined the batch.</summary>
public sealed record JobAdmitted(int PromptTokens) : ServingEvent;

/// <summary>One token of choice <paramref name="Choice"/>: the text it settled (may be empty) and, on its last step, why it ended.</summary>
/// <param name="TokenText">The token as the tokenizer spells it, for log-probabilities.</param>
public sealed record ChoiceToken(int Choice, int TokenId, string Text, FinishReason? FinishReason, TokenLogprobs? Logprobs,
    Func<int, string> TokenText) : ServingEvent;

/// <summary>The request cannot be served; sent instead of <see cref="JobAdmitted"/>, or after it if serving broke.</summary>
public sealed record JobFailed(OpenAiError Error) : ServingEvent;

/// <summary>Every choice has ended.</summary>
public sealed record JobFinished(int PromptTokens, int CompletionTokens) : ServingEvent;
