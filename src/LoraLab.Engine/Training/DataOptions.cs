using static System.FormattableString;

namespace LoraLab.Engine.Training;

/// <summary>How a run turns its dataset file into training examples (snake_case in the saved run configuration).</summary>
public sealed record DataOptions
{
    /// <summary>Tokens per example; longer ones are truncated (and counted).</summary>
    public int MaxLength { get; init; } = 512;
    /// <summary>Pack several short examples into each sequence of MaxLength, with attention kept inside each example.</summary>
    public bool Pack { get; init; }
    /// <summary>Learn every token, not only the completions / assistant turns.</summary>
    public bool LossOnAllTokens { get; init; }
    /// <summary>Share of the records held out for evaluation when no separate evaluation file is given (0: none).</summary>
    public double ValidationFraction { get; init; }
    /// <summary>alpaca, chat, sharegpt, prompt_completion or text; null to detect.</summary>
    public string? Format { get; init; }
    /// <summary>The chat template when the model declares none we recognise (chatml, llama3, llama2, alpaca).</summary>
    public string ChatTemplate { get; init; } = "chatml";

    /// <summary>Fails with the first of <see cref="Problems"/>.</summary>
    public void Validate()
    {
        foreach (var (_, message) in Problems()) throw new TrainingConfigException(message);
    }

    /// <summary>Every rule these options break, each with the snake_case field it is about.</summary>
    public IEnumerable<(string Field, string Message)> Problems()
    {
        if (MaxLength < 2) yield return ("max_length", $"max_length must be at least 2, got {MaxLength}.");
        if (ValidationFraction is < 0 or >= 1 || double.IsNaN(ValidationFraction))
            yield return ("validation_fraction", Invariant($"validation_fraction must be in [0, 1), got {ValidationFraction}."));
    }
}
