using System.Text.RegularExpressions;

namespace LoraLab.Engine.Evaluation.Metrics;

/// <summary>A BLEU score (0–100) with the statistics it was computed from, as sacreBLEU reports them.</summary>
public sealed record BleuScore(double Score, IReadOnlyList<int> Correct, IReadOnlyList<int> Total, double BrevityPenalty, int HypothesisLength, int ReferenceLength);

/// <summary>
/// BLEU as sacreBLEU computes it with its defaults: the <c>13a</c> tokenizer (mteval-v13a's), case kept, n-grams up to 4,
/// the closest reference length (the shorter on a tie), and the <c>exp</c> smoothing of Chen and Cherry (2014), method 3.
/// The corpus score sums statistics over all segments; the sentence score uses the effective order, as sacreBLEU
/// recommends for single segments.
/// </summary>
public static partial class SacreBleu
{
    const int MaxOrder = 4;

    [GeneratedRegex(@"([\{-\~\[-\` -\&\(-\+\:-\@\/])")] private static partial Regex Punctuation();
    [GeneratedRegex(@"([^0-9])([\.,])")] private static partial Regex PeriodOrCommaAfterNonDigit();
    [GeneratedRegex(@"([\.,])([^0-9])")] private static partial Regex PeriodOrCommaBeforeNonDigit();
    [GeneratedRegex(@"([0-9])(-)")] private static partial Regex DashAfterDigit();

    /// <summary>sacreBLEU's <c>Tokenizer13a</c> on a segment (after its <c>rstrip</c>).</summary>
    public static string Tokenize13a(string segment)
    {
        string line = segment.TrimEnd().Replace("<skipped>", "").Replace("-\n", "").Replace("\n", " ")
            .Replace("&quot;", "\"").Replace("&amp;", "&").Replace("&lt;", "<").Replace("&gt;", ">");
        line = $" {line} ";
        line = Punctuation().Replace(line, " $1 ");
        line = PeriodOrCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodOrCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        return string.Join(' ', Words(line));
    }

    /// <param name="references">One stream per reference: <c>references[k][i]</c> is the k-th reference of segment i.</param>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        if (references.Any(stream => stream.Count != hypotheses.Count))
            throw new ArgumentException($"Every reference stream needs one segment per hypothesis ({hypotheses.Count}).", nameof(references));
        var stats = new SegmentStatistics();
        for (int i = 0; i < hypotheses.Count; i++)
            stats.Add(hypotheses[i], references.Select(stream => stream[i]).ToList());
        return stats.Score(effectiveOrder: false);
    }

    public static BleuScore Sentence(string hypothesis, IReadOnlyList<string> references)
    {
        var stats = new SegmentStatistics();
        stats.Add(hypothesis, references);
        return stats.Score(effectiveOrder: true);
    }

    static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    static Dictionary<string, int> NGrams(string[] words)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int n = 1; n <= MaxOrder; n++)
            for (int i = 0; i + n <= words.Length; i++)
            {
                // Words hold no whitespace, so a space joins them without ambiguity; the order is the word count.
                string gram = string.Join(' ', words, i, n);
                counts[gram] = counts.GetValueOrDefault(gram) + 1;
            }
        return counts;
    }

    sealed class SegmentStatistics
    {
        readonly int[] correct = new int[MaxOrder], total = new int[MaxOrder];
        int hypothesisLength, referenceLength;

        public void Add(string hypothesis, IReadOnlyList<string> references)
        {
            var words = Words(Tokenize13a(hypothesis));
            var referenceGrams = new Dictionary<string, int>(StringComparer.Ordinal);
            var lengths = new List<int>();
            foreach (var reference in references)
            {
                var referenceWords = Words(Tokenize13a(reference));
                lengths.Add(referenceWords.Length);
                foreach (var (gram, count) in NGrams(referenceWords))
                    referenceGrams[gram] = Math.Max(referenceGrams.GetValueOrDefault(gram), count);
            }
            foreach (var (gram, count) in NGrams(words))
            {
                int order = gram.Count(c => c == ' ');
                total[order] += count;
                correct[order] += Math.Min(count, referenceGrams.GetValueOrDefault(gram));
            }
            hypothesisLength += words.Length;
            referenceLength += lengths.OrderBy(l => Math.Abs(words.Length - l)).ThenBy(l => l).First();
        }

        /// <summary>sacreBLEU's <c>BLEU.compute_bleu</c> with <c>smooth_method='exp'</c>.</summary>
        public BleuScore Score(bool effectiveOrder)
        {
            double bp = hypothesisLength >= referenceLength ? 1
                : hypothesisLength > 0 ? Math.Exp(1 - (double)referenceLength / hypothesisLength) : 0;
            var result = (double score) => new BleuScore(score, correct.ToArray(), total.ToArray(), bp, hypothesisLength, referenceLength);
            if (correct.All(c => c == 0)) return result(0);

            var precisions = new double[MaxOrder];
            double smooth = 1;
            int order = MaxOrder;
            for (int n = 0; n < MaxOrder; n++)
            {
                if (total[n] == 0) break;
                if (effectiveOrder) order = n + 1;
                if (correct[n] == 0)
                {
                    smooth *= 2;
                    precisions[n] = 100 / (smooth * total[n]);
                }
                else precisions[n] = 100.0 * correct[n] / total[n];
            }
            // sacreBLEU's my_log: log(0) counts as −9999999999, which drives the score to 0.
            double logSum = precisions.Take(order).Sum(p => p == 0 ? -9999999999 : Math.Log(p));
            return result(bp * Math.Exp(logSum / order));
        }
    }
}
