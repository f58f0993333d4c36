using LoraLab.Engine.Generation;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Demo;

/// <param name="Outputs">What the model answered for each example, in order.</param>
public sealed record ExactMatchResult(int Correct, int Total, IReadOnlyList<string> Outputs)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <summary>
/// Exact-match accuracy on instruction examples: each prompt rendered as the dataset pipeline renders an alpaca record
/// (instruction, a blank line, the input, as one user turn) in the model's chat template, answered greedily in batches.
/// </summary>
public static class ExactMatch
{
    public static ExactMatchResult Evaluate(LanguageModel lm, IReadOnlyList<InstructionExample> examples, int maxNewTokens = 32, int batchSize = 32)
    {
        var template = lm.ChatTemplate ?? ChatTemplate.FromName("chatml");
        var stopIds = lm.StopIds(template);
        var generator = new TokenGenerator(lm.Network);
        var outputs = new List<string>();
        foreach (var chunk in examples.Chunk(batchSize))
        {
            var prompts = chunk.Select(e => lm.Tokenizer.Encode(
                template.Render([new ChatMessage("user", string.IsNullOrEmpty(e.Input) ? e.Instruction : e.Instruction + "\n\n" + e.Input)], addGenerationPrompt: true),
                addSpecialTokens: false)).ToList();
            var results = generator.Generate(prompts, SamplingOptions.Greedy with { MaxNewTokens = maxNewTokens }, stopIds, ids => lm.Tokenizer.Decode(ids));
            outputs.AddRange(results.Select(r => (r.Text ?? lm.Tokenizer.Decode(r.TokenIds)).Trim()));
        }
        int correct = outputs.Zip(examples).Count(p => p.First == p.Second.Output.Trim());
        return new ExactMatchResult(correct, examples.Count, outputs);
    }
}
