using LoraLab.Engine.Generation;

namespace LoraLab.Web.Playground;

/// <summary>How a playground column chooses its tokens, as the page and the API write it; the engine's <see cref="SamplingOptions"/> checks it.</summary>
public sealed record SamplingSettings
{
    public int MaxNewTokens { get; init; } = 48;
    /// <summary>0 answers greedily, the same every time; above 0 samples, with <see cref="Seed"/> fixing the draw.</summary>
    public double Temperature { get; init; }
    public double TopP { get; init; } = 1.0;
    public int TopK { get; init; }
    public long? Seed { get; init; }
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    public SamplingOptions ToOptions() => new()
    {
        MaxNewTokens = MaxNewTokens, Temperature = Temperature, TopP = TopP, TopK = TopK, Seed = Seed,
        StopStrings = (StopStrings ?? []).Where(s => s.Length > 0).ToArray(),
    };

    /// <summary>
    /// The settings a column starts with on a model: its generation_config.json values where it has them (do_sample
    /// false, or none at all, answers greedily), the playground's otherwise.
    /// </summary>
    public static SamplingSettings ForModel(GenerationDefaults model)
    {
        var playground = new SamplingSettings();
        var options = model.Resolve(new SamplingOverrides(), playground.ToOptions());
        return playground with { Temperature = options.Temperature, TopP = options.TopP, TopK = options.TopK, MaxNewTokens = Math.Min(options.MaxNewTokens, 512) };
    }

    /// <summary>What is wrong with these settings, in the engine's words, or null.</summary>
    public string? Problem()
    {
        try
        {
            ToOptions().Validate();
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
