using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.PrefixTuning;
using LoraLab.Engine.Peft.PromptTuning;

namespace LoraLab.Engine.Tests.Generation;

public class VirtualTokenGenerationTests
{
    static readonly int[][] RaggedPrompts = [[7, 8, 9], [3, 17, 42, 5, 60, 0, 9], [21, 33, 1, 2, 50]];

    static IPeftMethod Attached(CausalLM lm, string kind)
    {
        IPeftMethod method = kind == "prompt"
            ? new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = 4 }, seed: 3)
            : new PrefixTuningMethod(new PrefixTuningConfig { NumVirtualTokens = 4 }, seed: 3);
        method.Attach(lm);
        if (method is PrefixTuningMethod)
            using (no_grad()) foreach (var (_, p) in method.TrainableParameters()) p.normal_(0, 1, new Generator(4));   // a prefix far from its start
        lm.eval();
        return method;
    }

    static VirtualTokens Of(IPeftMethod method) => new LoadedAdapter("TEST", method).VirtualTokens!;

    [Theory]
    [InlineData("prompt", "llama-gqa-tied")]
    [InlineData("prompt", "qwen3-qk-norm-head-dim")]
    [InlineData("prefix", "llama-gqa-tied")]
    [InlineData("prefix", "qwen2-qkv-bias")]
    public void Each_row_of_a_padded_batch_with_virtual_tokens_equals_recomputing_the_method_forward_each_step(string kind, string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        var method = Attached(lm, kind);
        var expected = RaggedPrompts.Select(p => NaiveGreedy.Continue(lm, p, 8, forward: ids => method.Forward(lm, ids, null))).ToArray();
        var plain = NaiveGreedy.Continue(lm, RaggedPrompts[1], 8);

        var results = new TokenGenerator(lm).Generate(RaggedPrompts, SamplingOptions.Greedy with { MaxNewTokens = 8 }, eosTokenIds: [], virtualTokens: Of(method));

        Assert.NotEqual(plain, expected[1]);
        for (int b = 0; b < RaggedPrompts.Length; b++) Assert.Equal(expected[b], results[b].TokenIds);
    }

    [Fact]
    public void Virtual_tokens_need_a_positive_count_and_exactly_one_form()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var generator = new TokenGenerator(lm);

        var none = Assert.Throws<ArgumentException>(() => generator.Start([[1, 2]], SamplingOptions.Greedy, [], virtualTokens: new VirtualTokens(2)));
        var zero = Assert.Throws<ArgumentException>(() => generator.Start([[1, 2]], SamplingOptions.Greedy, [], virtualTokens: new VirtualTokens(0, _ => zeros(1))));

        Assert.StartsWith("Virtual tokens come either as embeddings or as a prefilled cache", none.Message);
        Assert.StartsWith("Virtual tokens need a positive count, got 0.", zero.Message);
    }
}
