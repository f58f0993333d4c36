using LoraLab.Engine;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Serving;

/// <summary>
/// The one place where a request's sampling is completed from defaults: the model's generation_config.json, then
/// OpenAI's meaning of an absent field (temperature 1, top_p 1, generate until EOS within the context).
/// </summary>
public static class ServingDefaults
{
    /// <summary>New tokens when the client sets no limit; the context still bounds it.</summary>
    public const int MaxTokens = 512;

    public static ChatTemplate TemplateOf(LanguageModel lm) => lm.ChatTemplate ?? ChatTemplate.FromName("chatml");

    /// <summary>
    /// The options of choice <paramref name="choice"/> (0 … n−1): each field the request sets, else the model's
    /// generation_config.json, else OpenAI's meaning of an absent field (temperature 1, top_p 1); a seeded request draws
    /// choice i with seed + i, so choices differ.
    /// </summary>
    public static SamplingOptions SamplingFor(LanguageModel lm, CompletionRequest request, int promptTokens, int choice)
    {
        int room = lm.Config.MaxPositionEmbeddings - promptTokens;
        var resolved = lm.GenerationDefaults.Resolve(
            new SamplingOverrides(Temperature: request.Temperature, TopP: request.TopP, MaxNewTokens: request.MaxTokens),
            new SamplingOptions { MaxNewTokens = Math.Max(1, Math.Min(MaxTokens, room)) });
        return resolved with
        {
            // A limit the client set is kept, so that one past the context is refused, not silently shortened.
            MaxNewTokens = request.MaxTokens ?? Math.Min(resolved.MaxNewTokens, room),
            Seed = request.Seed is { } seed ? seed + choice : resolved.Seed,
            StopStrings = request.Stop,
            LogitBias = request.LogitBias,
        };
    }
}
