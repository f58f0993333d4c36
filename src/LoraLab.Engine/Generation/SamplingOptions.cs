using static System.FormattableString;

namespace LoraLab.Engine.Generation;

/// <summary>
/// How tokens are chosen, with the meaning of Hugging Face's generation config fields of the same names.
/// A value that switches a step off (<c>top_k = 0</c>, <c>top_p = 1</c>, <c>repetition_penalty = 1</c>) leaves the logits untouched.
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>Argmax decoding (after the repetition penalty), as <c>do_sample=False</c>.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0 };

    public int MaxNewTokens { get; init; } = 128;
    /// <summary>0 means greedy; otherwise the logits are divided by it before sampling.</summary>
    public double Temperature { get; init; } = 1.0;
    public int TopK { get; init; }
    public double TopP { get; init; } = 1.0;
    public double RepetitionPenalty { get; init; } = 1.0;
    /// <summary>Seed of the sampling generator; null draws one, so that runs differ.</summary>
    public long? Seed { get; init; }
    /// <summary>Texts that end a row; the stop string and anything after it are removed from the row's text.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    /// <summary>Added to the logit of each token id before any other step, greedy or not (OpenAI's <c>logit_bias</c>).</summary>
    public IReadOnlyDictionary<int, double> LogitBias { get; init; } = new Dictionary<int, double>();

    public bool IsGreedy => Temperature == 0;

    public void Validate()
    {
        if (MaxNewTokens <= 0) throw new ArgumentException(Invariant($"max_new_tokens must be positive, got {MaxNewTokens}."));
        if (!double.IsFinite(Temperature) || Temperature < 0)
            throw new ArgumentException(Invariant($"temperature must be a finite number >= 0 (0 = greedy), got {Temperature}."));
        if (TopK < 0) throw new ArgumentException(Invariant($"top_k must be >= 0 (0 = off), got {TopK}."));
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentException(Invariant($"top_p must be in (0, 1], got {TopP}."));
        if (!double.IsFinite(RepetitionPenalty) || RepetitionPenalty <= 0)
            throw new ArgumentException(Invariant($"repetition_penalty must be a finite number > 0 (1 = off), got {RepetitionPenalty}."));
        foreach (var (id, bias) in LogitBias)
            if (id < 0 || !double.IsFinite(bias)) throw new ArgumentException(Invariant($"logit_bias needs token ids >= 0 and finite biases, got {id}: {bias}."));
        int empty = StopStrings.ToList().FindIndex(string.IsNullOrEmpty);
        if (empty >= 0) throw new ArgumentException(Invariant($"stop_strings[{empty}] is empty; an empty stop string would end every row at once."));
    }
}
