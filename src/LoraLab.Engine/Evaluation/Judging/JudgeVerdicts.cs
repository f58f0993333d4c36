using System.Globalization;
using System.Text.RegularExpressions;

namespace LoraLab.Engine.Evaluation.Judging;

public enum PairwiseVerdict { A, B, Tie }

/// <summary>Reads a judge's answer as FastChat's <c>llm_judge/common.py</c> does.</summary>
public static partial class JudgeVerdicts
{
    /// <summary><c>[[A]]</c>, else <c>[[B]]</c>, else <c>[[C]]</c> (a tie), in that order of precedence; null when none occurs.</summary>
    public static PairwiseVerdict? Pairwise(string judgment) =>
        judgment.Contains("[[A]]", StringComparison.Ordinal) ? PairwiseVerdict.A
        : judgment.Contains("[[B]]", StringComparison.Ordinal) ? PairwiseVerdict.B
        : judgment.Contains("[[C]]", StringComparison.Ordinal) ? PairwiseVerdict.Tie
        : null;

    [GeneratedRegex(@"\[\[(\d+\.?\d*)\]\]")] private static partial Regex DoubleBracketed();
    [GeneratedRegex(@"\[(\d+\.?\d*)\]")] private static partial Regex Bracketed();

    /// <summary>The first <c>[[n]]</c>, else the first <c>[n]</c>; null when neither occurs (FastChat records −1).</summary>
    public static double? Rating(string judgment) =>
        (DoubleBracketed().Match(judgment) is { Success: true } m || (m = Bracketed().Match(judgment)).Success)
            ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : null;
}
