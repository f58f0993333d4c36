using System.Text.RegularExpressions;

namespace LoraLab.Engine.Evaluation.Metrics;

/// <summary>Precision, recall and their harmonic mean (F1), as rouge-score's <c>Score</c> tuple.</summary>
public readonly record struct PrecisionRecall(double Precision, double Recall)
{
    public double F1 => Precision + Recall > 0 ? 2 * Precision * Recall / (Precision + Recall) : 0;
}

/// <summary>
/// ROUGE-N and ROUGE-L as Google's <c>rouge-score</c> package computes them with its defaults (<c>RougeScorer(types)</c>:
/// its default tokenizer, no stemmer): text lowercased, every run of characters other than a–z and 0–9 a separator,
/// so "don't" is two tokens and non-Latin text yields none. ROUGE-N counts clipped n-gram overlaps; ROUGE-L is the
/// longest common subsequence of the two token lists (sentence level, not rougeLsum).
/// </summary>
public static partial class Rouge
{
    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();

    /// <summary>rouge-score's <c>tokenize.tokenize(text, stemmer=None)</c>.</summary>
    public static IReadOnlyList<string> Tokenize(string text) =>
        NonAlphanumeric().Replace(text.ToLowerInvariant(), " ").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <param name="n">1 for ROUGE-1, 2 for ROUGE-2, …</param>
    public static PrecisionRecall N(string target, string prediction, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var targetGrams = NGrams(Tokenize(target), n);
        var predictionGrams = NGrams(Tokenize(prediction), n);
        int overlap = targetGrams.Sum(kv => Math.Min(kv.Value, predictionGrams.GetValueOrDefault(kv.Key)));
        int targetTotal = targetGrams.Values.Sum(), predictionTotal = predictionGrams.Values.Sum();
        return new PrecisionRecall((double)overlap / Math.Max(predictionTotal, 1), (double)overlap / Math.Max(targetTotal, 1));
    }

    public static PrecisionRecall L(string target, string prediction)
    {
        var t = Tokenize(target);
        var p = Tokenize(prediction);
        if (t.Count == 0 || p.Count == 0) return new PrecisionRecall(0, 0);
        int lcs = LongestCommonSubsequence(t, p);
        return new PrecisionRecall((double)lcs / p.Count, (double)lcs / t.Count);
    }

    static Dictionary<string, int> NGrams(IReadOnlyList<string> tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        // Tokens hold only a–z and 0–9, so a space joins them without ambiguity.
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            string gram = string.Join(' ', tokens.Skip(i).Take(n));
            counts[gram] = counts.GetValueOrDefault(gram) + 1;
        }
        return counts;
    }

    static int LongestCommonSubsequence(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            for (int j = 1; j <= b.Count; j++)
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }
}
