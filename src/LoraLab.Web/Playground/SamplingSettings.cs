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
