using LoraLab.Engine.Models;
using LoraLab.Engine.Tokenization;
using static TorchSharp.torch;

namespace LoraLab.Engine.Evaluation.Benchmarks;

/// <param name="Accuracy">lm-evaluation-harness's <c>acc</c>: the choice of highest log-likelihood is the answer.</param>
/// <param name="NormalizedAccuracy"><c>acc_norm</c>: the same with each log-likelihood divided by its choice's length in characters.</param>
/// <param name="LogLikelihoods">Per question, per choice: the summed log-probability of the choice's tokens.</param>
public sealed record MultipleChoiceResult(int Questions, double Accuracy, double NormalizedAccuracy, IReadOnlyList<IReadOnlyList<double>> LogLikelihoods)
{
    /// <summary>The accuracies of <paramref name="logLikelihoods"/> (per question, per choice) on <paramref name="questions"/>.</summary>
    public static MultipleChoiceResult Of(IReadOnlyList<MultipleChoiceQuestion> questions, IReadOnlyList<IReadOnlyList<double>> logLikelihoods)
    {
        if (questions.Count == 0 || logLikelihoods.Count != questions.Count)
            throw new ArgumentException($"{logLikelihoods.Count} sets of log-likelihoods for {questions.Count} questions.", nameof(logLikelihoods));
        int correct = 0, normalizedCorrect = 0;
        for (int i = 0; i < questions.Count; i++)
        {
            var (c, n) = MultipleChoiceScorer.Judge(logLikelihoods[i], questions[i].Choices, questions[i].Answer);
            correct += c ? 1 : 0;
            normalizedCorrect += n ? 1 : 0;
        }
        return new(questions.Count, (double)correct / questions.Count, (double)normalizedCorrect / questions.Count, logLikelihoods);
    }
}

/// <summary>
/// Scores multiple-choice questions by log-likelihood, as lm-evaluation-harness's <c>multiple_choice</c> output type does
/// for a Hugging Face causal model: no BOS added (its <c>add_bos_token</c> default), each choice encoded with
/// <see cref="EncodePair"/>, and ties going to the first choice (<c>np.argmax</c>).
/// </summary>
public static class MultipleChoiceScorer
{
    /// <summary>
    /// lm-eval's <c>TemplateLM._encode_pair</c>: trailing spaces of the context move to the continuation, and the
    /// continuation's tokens are those of the whole text after as many tokens as the context alone has.
    /// </summary>
    public static (IReadOnlyList<int> Context, IReadOnlyList<int> Continuation) EncodePair(ITextTokenizer tokenizer, string context, string continuation)
    {
        int spaces = context.Length - context.TrimEnd().Length;
        if (spaces > 0)
        {
            continuation = context[^spaces..] + continuation;
            context = context[..^spaces];
        }
        var whole = tokenizer.Encode(context + continuation, addSpecialTokens: false);
        var contextIds = tokenizer.Encode(context, addSpecialTokens: false);
        return (contextIds, whole.Skip(contextIds.Count).ToList());
    }

    /// <summary>Whether the raw and the length-normalised log-likelihoods pick the answer.</summary>
    public static (bool Correct, bool NormalizedCorrect) Judge(IReadOnlyList<double> logLikelihoods, IReadOnlyList<string> choices, int answer) =>
        (ArgMax(logLikelihoods) == answer, ArgMax(logLikelihoods.Select((ll, i) => ll / choices[i].Length).ToList()) == answer);

    /// <summary>The choice <c>acc</c> picks: the highest log-likelihood, the first of equal ones (<c>np.argmax</c>).</summary>
    public static int ArgMax(IReadOnlyList<double> values)
    {
        int best = 0;
        for (int i = 1; i < values.Count; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    /// <param name="forward">Logits (B, T, V) for ids (B, T); defaults to the plain model (an adapter passes its own).</param>
    public static MultipleChoiceResult Score(CausalLM lm, ITextTokenizer tokenizer, IReadOnlyList<MultipleChoiceQuestion> questions,
        Func<Tensor, Tensor>? forward = null, IProgress<int>? questionsDone = null, CancellationToken cancellation = default)
    {
        if (questions.Count == 0) throw new ArgumentException("No questions to score.", nameof(questions));
        forward ??= ids => lm.Forward(ids);
        // As lm-eval's prefix_token_id: an empty context is scored after BOS, or EOS when the tokenizer has none.
        int? prefix = tokenizer.BosId ?? (tokenizer.EosIds.Count > 0 ? tokenizer.EosIds[0] : null);
        var all = new List<IReadOnlyList<double>>();
        using var noGrad = no_grad();
        foreach (var q in questions)
        {
            cancellation.ThrowIfCancellationRequested();
            var pairs = q.Choices.Select(c => EncodePair(tokenizer, q.Context, q.Delimiter + c)).Select(p => p.Context.Count > 0 || prefix is null
                ? p : ([prefix.Value], p.Continuation)).ToList();
            all.Add(LogLikelihoods(lm, forward, pairs));
            questionsDone?.Report(all.Count);
        }
        return MultipleChoiceResult.Of(questions, all);
    }

    /// <summary>One right-padded batch of the choices of one question; causal attention never looks at the padding.</summary>
    static double[] LogLikelihoods(CausalLM lm, Func<Tensor, Tensor> forward, IReadOnlyList<(IReadOnlyList<int> Context, IReadOnlyList<int> Continuation)> pairs)
    {
        using var scope = NewDisposeScope();
        int window = lm.Config.MaxPositionEmbeddings;
        // As lm-eval: the last window + 1 tokens, the final one only predicted; the context is cut from the left.
        var sequences = pairs.Select(p => p.Context.Concat(p.Continuation).TakeLast(window + 1).ToArray()).ToList();
        if (pairs.Any(p => p.Continuation.Count == 0 || p.Continuation.Count > window))
            throw new ArgumentException($"A choice encodes to no token or to more than the model's context of {window}.");
        int B = pairs.Count, T = sequences.Max(s => s.Length) - 1;
        var ids = new long[B * T];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < sequences[b].Length - 1; t++) ids[b * T + t] = sequences[b][t];
        var logProbs = forward(tensor(ids, [B, T], device: lm.Device)).to(ScalarType.Float32).log_softmax(-1);   // (B, T, V)
        var result = new double[B];
        for (int b = 0; b < B; b++)
        {
            int n = pairs[b].Continuation.Count, first = sequences[b].Length - 1 - n;   // the position predicting the first choice token
            var targets = tensor(sequences[b][^n..].Select(x => (long)x).ToArray(), device: lm.Device);              // (n)
            var picked = logProbs[b].narrow(0, first, n).gather(1, targets.unsqueeze(1));                          // (n, 1)
            result[b] = picked.to(ScalarType.Float64).sum().item<double>();
        }
        return result;
    }
}
