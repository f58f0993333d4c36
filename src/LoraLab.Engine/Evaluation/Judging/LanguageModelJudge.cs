using LoraLab.Engine.Generation;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Evaluation.Judging;

/// <summary>A model of the studio as the judge: the conversation in its chat template, answered greedily.</summary>
public sealed class LanguageModelJudge(LanguageModel lm, string name, int maxNewTokens = 512) : IJudgeModel
{
    public string Name => name;

    public Task<string> CompleteAsync(string system, string user, CancellationToken cancellation)
    {
        var template = lm.ChatTemplate ?? ChatTemplate.FromName("chatml");
        var prompt = lm.Tokenizer.Encode(template.Render([new ChatMessage("system", system), new ChatMessage("user", user)], addGenerationPrompt: true), addSpecialTokens: false);
        using var run = new TokenGenerator(lm.Network).Start([prompt], SamplingOptions.Greedy with { MaxNewTokens = maxNewTokens }, lm.StopIds(template),
            ids => lm.Tokenizer.Decode(ids), virtualTokens: lm.Adapter?.VirtualTokens);
        foreach (var _ in run.Steps(cancellation)) { }
        var result = run.Results[0];
        return Task.FromResult(result.Text ?? lm.Tokenizer.Decode(result.TokenIds));
    }
}
