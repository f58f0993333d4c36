using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Serving;

/// <summary>Which endpoint a request came in on: the shapes of its prompt and its answer differ.</summary>
public enum CompletionKind { Chat, Text }

/// <summary>
/// A chat or text completion request as read from OpenAI's schema; sampling fields the client left out are null, so
/// that the model's defaults fill them (<see cref="ServingDefaults"/>).
/// </summary>
/// <param name="TopLogprobs">-1 without log-probabilities; otherwise how many alternatives per token.</param>
/// <param name="LogitBias">Token id to a bias between −100 and 100, added to its logit.</param>
public sealed record CompletionRequest(
    CompletionKind Kind,
    string Model,
    IReadOnlyList<ChatMessage>? Messages,
    string? Prompt,
    int? MaxTokens,
    double? Temperature,
    double? TopP,
    long? Seed,
    IReadOnlyList<string> Stop,
    int N,
    bool Stream,
    bool IncludeUsage,
    int TopLogprobs,
    IReadOnlyDictionary<int, double> LogitBias);
