namespace LoraLab.Engine.Evaluation.Judging;

/// <param name="Winner">"first", "second" or "tie" after both orders.</param>
/// <param name="Judgments">The judge's two answers: first answer shown as A, then as B.</param>
public sealed record PairwiseOutcome(string Winner, PairwiseVerdict? InOrder, PairwiseVerdict? Swapped, IReadOnlyList<string> Judgments);

/// <summary>
/// A pairwise comparison asked twice, the second time with the answers swapped, as MT-Bench does against position bias:
/// an answer wins only when both orders pick it; disagreement, a tie or an unreadable verdict counts as a tie.
/// </summary>
public static class PairwiseJudging
{
    public static async Task<PairwiseOutcome> CompareAsync(IJudgeModel judge, JudgePrompt prompt, string question, string first, string second,
        string? reference = null, CancellationToken cancellation = default)
    {
        if (!prompt.IsPairwise) throw new ArgumentException("This judge prompt rates one answer; a comparison needs {answer_a} and {answer_b}.", nameof(prompt));
        string inOrder = await judge.CompleteAsync(prompt.System, prompt.Render(question, first, second, reference), cancellation);
        string swapped = await judge.CompleteAsync(prompt.System, prompt.Render(question, second, first, reference), cancellation);
        var (a, b) = (JudgeVerdicts.Pairwise(inOrder), JudgeVerdicts.Pairwise(swapped));
        string winner = (a, b) switch
        {
            (PairwiseVerdict.A, PairwiseVerdict.B) => "first",
            (PairwiseVerdict.B, PairwiseVerdict.A) => "second",
            _ => "tie",
        };
        return new PairwiseOutcome(winner, a, b, [inOrder, swapped]);
    }

    /// <summary>One answer rated 1–10 with a rating prompt; null when the judge gave no readable rating.</summary>
    public static async Task<(double? Rating, string Judgment)> RateAsync(IJudgeModel judge, JudgePrompt prompt, string question, string answer,
        string? reference = null, CancellationToken cancellation = default)
    {
        if (prompt.IsPairwise) throw new ArgumentException("This judge prompt compares two answers; a rating needs {answer}.", nameof(prompt));
        string judgment = await judge.CompleteAsync(prompt.System, prompt.Render(question, answer, reference: reference), cancellation);
        return (JudgeVerdicts.Rating(judgment), judgment);
    }
}
