using LoraLab.Engine.Generation;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static LoraLab.Engine.Tests.Peft.AdapterTestKit;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public class AdapterRoutingTests
{
    static readonly int[][] Rows = [[3, 17, 42, 5, 60], [7, 8, 9, 10, 11], [21, 33, 1, 2, 50], [4, 8, 15, 16, 23], [60, 59, 58, 1, 0]];
    static readonly string?[] RowAdapters = ["lora", null, "wide", "dora", "lora"];

    /// <summary>Three adapters on one base: LoRA r4 on q/v, LoRA r2 on every linear, DoRA r3 on o/down.</summary>
    static CausalLM WithThreeAdapters(string family)
    {
        var lm = TinyModels.Create(TinyModels.Named(family));
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = ["q_proj", "v_proj"] }, "lora").Values, seed: 1, std: 0.5);
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 2, LoraAlpha = 2, UseRslora = true, TargetModules = [LoraConfig.AllLinear] }, "wide").Values, seed: 2, std: 0.5);
        var dora = LoraInjection.Inject(lm, new LoraConfig { R = 3, LoraAlpha = 6, UseDora = true, TargetModules = ["o_proj", "down_proj"] }, "dora");
        Randomize(dora.Values, seed: 3, std: 0.5);
        lm.eval();
        return lm;
    }

    static Tensor Alone(CausalLM lm, int[] ids, string? adapter)
    {
        LoraInjection.SetActive(lm, adapter);
        return Logits(lm, ids);
    }

    [Theory]
    [InlineData("qwen2-qkv-bias")]
    [InlineData("llama-gqa-tied")]
    public void Each_row_of_a_mixed_batch_equals_that_row_run_alone_with_its_adapter(string family)
    {
        using var lm = WithThreeAdapters(family);
        var expected = Rows.Select((ids, b) => Alone(lm, ids, RowAdapters[b])).ToArray();
        using var baseOnly = Alone(lm, Rows[0], null);
        LoraInjection.SetActive(lm, "wide");   // the routing, not the active adapter, decides

        Tensor actual;
        using (AdapterRouting.PerRow(lm, RowAdapters))
        using (no_grad())
            actual = lm.Forward(tensor(Rows.SelectMany(r => r.Select(i => (long)i)).ToArray(), [Rows.Length, Rows[0].Length]));   // (B, T, V)

        Assert.True(MaxAbsDifference(expected[0], baseOnly) > 0.1, "the adapters should change the logits");
        for (int b = 0; b < Rows.Length; b++)
            Assert.True(MaxAbsDifference(expected[b], actual[b].unsqueeze(0)) < 1e-5, $"row {b} ({RowAdapters[b] ?? "base"})");
    }

    [Fact]
    public void Greedy_generation_with_routed_rows_equals_each_prompt_generated_alone_with_its_adapter()
    {
        using var lm = WithThreeAdapters("qwen2-qkv-bias");
        IReadOnlyList<int>[] prompts = [[7, 8, 9], [3, 17, 42, 5, 60, 0, 9], [21, 33, 1, 2, 50], [5, 6], [3, 17, 42, 5, 60, 0, 9]];
        string?[] adapters = ["dora", null, "wide", "lora", "lora"];
        var options = SamplingOptions.Greedy with { MaxNewTokens = 8 };
        var alone = prompts.Select((p, b) =>
        {
            LoraInjection.SetActive(lm, adapters[b]);
            return new TokenGenerator(lm).Generate([p], options, eosTokenIds: [])[0].TokenIds;
        }).ToArray();
        LoraInjection.SetActive(lm, null);
        var baseOutput = new TokenGenerator(lm).Generate([prompts[1]], options, eosTokenIds: [])[0].TokenIds;

        var routed = MultiAdapterGeneration.Generate(lm, prompts, adapters, options, eosTokenIds: []);

        Assert.NotEqual(alone[4], baseOutput);
        for (int b = 0; b < prompts.Length; b++) Assert.Equal(alone[b], routed[b].TokenIds);
        Assert.All(LoraInjection.LoraLayers(lm).Values, l => Assert.Null(l.Routing));
    }

    [Fact]
    public void A_batch_of_another_size_than_the_routing_is_refused_naming_both()
    {
        using var lm = WithThreeAdapters("qwen2-qkv-bias");
        using var routing = AdapterRouting.PerRow(lm, ["lora", null]);

        var e = Assert.Throws<InvalidOperationException>(() => Logits(lm, Rows[0]));

        Assert.Equal("The adapter routing was set for 2 rows, but this batch has 1.", e.Message);
    }

    [Fact]
    public void An_unknown_adapter_is_refused_naming_the_row_and_the_known_adapters()
    {
        using var lm = WithThreeAdapters("qwen2-qkv-bias");
        var e = Assert.Throws<ArgumentException>(() => AdapterRouting.PerRow(lm, [null, "lroa"]));
        Assert.StartsWith("Row 1 asks for adapter 'lroa', which the model does not have; it has: dora, lora, wide.", e.Message);
    }

    [Fact]
    public void A_merged_model_cannot_be_routed()
    {
        using var lm = WithThreeAdapters("qwen2-qkv-bias");
        LoraMerge.Merge(lm, "lora");
        var e = Assert.Throws<InvalidOperationException>(() => AdapterRouting.PerRow(lm, ["wide"]));
        Assert.Contains("Adapter 'lora' is merged", e.Message);
    }

    [Fact]
    public void Disposing_the_routing_gives_the_active_adapter_back_to_every_row()
    {
        using var lm = WithThreeAdapters("llama-gqa-tied");
        using var expected = Alone(lm, Rows[2], "dora");

        AdapterRouting.PerRow(lm, [null]).Dispose();

        using var actual = Logits(lm, Rows[2]);
        Assert.True(expected.equal(actual).all().item<bool>());
    }
}
