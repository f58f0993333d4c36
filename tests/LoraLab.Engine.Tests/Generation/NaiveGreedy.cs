using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Generation;

/// <summary>
/// The reference for generation: recompute the whole sequence every step without a cache or masks, take the last
/// position's logits in float64 on the host, apply transformers' repetition penalty there, and pick the argmax.
/// </summary>
static class NaiveGreedy
{
    /// <param name="forward">Logits (1, T, V) for ids (1, T); defaults to the plain model (adapters with virtual tokens pass theirs).</param>
    public static List<int> Continue(CausalLM lm, IReadOnlyList<int> prompt, int newTokens, double repetitionPenalty = 1.0, Func<Tensor, Tensor>? forward = null)
    {
        forward ??= ids => lm.Forward(ids);
        using var noGrad = no_grad();
        var sequence = prompt.ToList();
        var output = new List<int>();
        for (int step = 0; step < newTokens; step++)
        {
            using var scope = NewDisposeScope();
            var logits = forward(tensor(sequence.Select(i => (long)i).ToArray()).unsqueeze(0));      // (1, T, V)
            var last = logits[0, -1].to(ScalarType.Float64).data<double>().ToArray();                // (V)
            foreach (int seen in sequence.Distinct())
                last[seen] = last[seen] < 0 ? last[seen] * repetitionPenalty : last[seen] / repetitionPenalty;
            int next = Array.IndexOf(last, last.Max());
            sequence.Add(next);
            output.Add(next);
        }
        return output;
    }
}
