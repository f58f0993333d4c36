namespace LoraLab.Web.Playground;

/// <summary>One column's answer so far, or in full once <paramref name="FinishReason"/> is set.</summary>
/// <param name="Name">The adapter's name, or "base model only".</param>
/// <param name="Seconds">From the start of the column's batch to its last token.</param>
/// <param name="Pass">The batch the column ran in: 0 is the shared batch of the base, LoRA and DoRA columns.</param>
/// <param name="OwnPass">The column's adapter (prompt/prefix tuning, (IA)³, bottleneck, selective, PiSSA) cannot share the routed batch.</param>
public sealed record ColumnAnswer(int? AdapterId, string Name, string Text, int Tokens, double Seconds, string? FinishReason, int Pass, bool OwnPass)
{
    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : 0;
    public bool IsFinished => FinishReason is not null;
}

/// <summary>Every column's answer to one prompt, as it streams in and at the end.</summary>
/// <param name="Seconds">Wall time since the generation started, all batches together.</param>
public sealed record PlaygroundAnswers(IReadOnlyList<ColumnAnswer> Columns, int PromptTokens, double Seconds, bool Finished)
{
    public int Batches => Columns.Count == 0 ? 0 : Columns.Max(c => c.Pass) + 1;
    /// <summary>All columns' tokens over the wall time: what batching the columns buys.</summary>
    public double TokensPerSecond => Seconds > 0 ? Columns.Sum(c => c.Tokens) / Seconds : 0;
}

/// <summary>The two columns a blind comparison shows, as A and B.</summary>
public sealed record BlindPair(ColumnAnswer A, ColumnAnswer B);
