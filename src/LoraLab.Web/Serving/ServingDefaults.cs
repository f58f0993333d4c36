using LoraLab.Engine;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Web.Serving;

/// <summary>
/// The one place where a request's sampling is completed from defaults: today the engine's, with OpenAI's meaning of
/// an absent field (temperature 1, top_p 1, generate until EOS within the context); a model's generation_config.json
/// defaults plug in here.
/// </summary>
public static class ServingDefaults
{
    /// <summary>New tokens when the client sets no limit; the context still bounds it.</summary>
    public const int MaxTokens = 512;

    public static ChatTemplate TemplateOf(LanguageModel lm) => lm.ChatTemplate ?? ChatTemplate.FromName("chatml");

    /// <summary>The options of choice <paramref name="choice"/> (0 … n−1); a seeded request draws choice i with seed + i, so choices differ.</summary>
    public static SamplingOptions SamplingFor(LanguageModel lm, CompletionRequest request, int promptTokens, int choice)
    {
        var defaults = new SamplingOptions();
        int room = lm.Config.MaxPositionEmbeddings - promptTokens;
        return defaults with
        {
            MaxNewTokens = request.MaxTokens ?? Math.Min(MaxTokens, room),
            Temperature = request.Temperature ?? defaults.Temperature,
            TopP = request.TopP ?? defaults.TopP,
            Seed = request.Seed is { } seed ? seed + choice : defaults.Seed,
            StopStrings = request.Stop,
        };
    }
}
