using LoraLab.Engine.Generation;

namespace LoraLab.Engine.Serving;

/// <summary>One request for a row of a <see cref="ContinuousBatch"/>.</summary>
/// <param name="Adapter">The routed LoRA adapter, or null for the base (and for soft-prompt adapters, whose tokens are in <paramref name="VirtualTokens"/>).</param>
/// <param name="Decode">Turns generated ids into text; needed for stop strings.</param>
/// <param name="TopLogprobs">-1 for no log-probabilities, otherwise how many alternatives to report (0 for the chosen token only).</param>
public sealed record JoinRequest(IReadOnlyList<int> Prompt, string? Adapter, SamplingOptions Options, IEnumerable<int> EosTokenIds,
    Func<IReadOnlyList<int>, string>? Decode = null, VirtualTokens? VirtualTokens = null, int TopLogprobs = -1);
