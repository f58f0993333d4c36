using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tests.Models;

namespace LoraLab.Engine.Tests.Generation;

public class PerRowSamplingTests
{
    static readonly int[][] Prompts = [[7, 8, 9], [3, 17, 42, 5, 60, 0, 9], [21, 33, 1, 2, 50]];

    /// <summary>One character per token id, so that text positions are token positions.</summary>
    static string Decode(IReadOnlyList<int> ids) => string.Concat(ids.Select(id => (char)('0' + id)));

    static CausalLM NearlyFlat()
    {
        var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        ModelInitializer.InitializeRandom(lm, seed: 5, std: 0.02);   // nearly flat logits: every draw is a fresh choice
        return lm;
    }

    [Fact]
    public void A_row_with_its_own_options_and_seed_draws_the_same_tokens_beside_other_rows_as_alone()
    {
        using var lm = NearlyFlat();
        var generator = new TokenGenerator(lm);
        SamplingOptions[] rows =
        [
            new() { MaxNewTokens = 12, Temperature = 0.9, TopK = 40, Seed = 1 },
            SamplingOptions.Greedy with { MaxNewTokens = 12 },
            new() { MaxNewTokens = 12, Temperature = 1.3, TopP = 0.8, RepetitionPenalty = 1.3, Seed = 2 },
        ];
        var alone = Prompts.Select((p, b) => generator.Generate([p], rows[b], eosTokenIds: [])[0].TokenIds).ToArray();

        using var run = generator.Start(Prompts, rows, eosTokenIds: []);
        foreach (var _ in run.Steps()) { }

        for (int b = 0; b < Prompts.Length; b++) Assert.Equal(alone[b], run.Results[b].TokenIds);
        Assert.True(alone[0].Distinct().Count() > 4, "nearly flat logits should give varied tokens");
    }

    [Fact]
    public void Each_row_stops_at_its_own_token_budget_and_stop_strings()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var generator = new TokenGenerator(lm);
        var free = Generate(generator, Prompts[2], SamplingOptions.Greedy with { MaxNewTokens = 10 });
        string stop = Decode(free).Substring(3, 2);
        int at = Decode(free).IndexOf(stop, StringComparison.Ordinal);
        SamplingOptions[] rows =
        [
            SamplingOptions.Greedy with { MaxNewTokens = 3 },
            SamplingOptions.Greedy with { MaxNewTokens = 10 },
            SamplingOptions.Greedy with { MaxNewTokens = 10, StopStrings = [stop] },
        ];

        using var run = generator.Start(Prompts, rows, eosTokenIds: [], Decode);
        foreach (var _ in run.Steps()) { }

        Assert.Equal((3, FinishReason.Length), (run.Results[0].TokenIds.Count, run.Results[0].FinishReason));
        Assert.Equal((10, FinishReason.Length), (run.Results[1].TokenIds.Count, run.Results[1].FinishReason));
        Assert.Equal((Decode(free)[..at], FinishReason.Stop), (run.Results[2].Text, run.Results[2].FinishReason));
        Assert.Equal(Generate(generator, Prompts[0], rows[0]), run.Results[0].TokenIds);
    }

    [Fact]
    public void Options_for_another_number_of_rows_than_prompts_are_refused_naming_both()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));

        var e = Assert.Throws<ArgumentException>(() => new TokenGenerator(lm).Start(Prompts, [SamplingOptions.Greedy], eosTokenIds: []));

        Assert.StartsWith("Each of the 3 prompts needs its sampling options, got 1.", e.Message);
    }

    static IReadOnlyList<int> Generate(TokenGenerator generator, int[] prompt, SamplingOptions options) =>
        generator.Generate([prompt], options, eosTokenIds: [])[0].TokenIds;
}
