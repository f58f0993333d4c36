using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static LoraLab.Engine.Tests.Peft.AdapterTestKit;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public sealed class WeightedAdapterCombinationTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-combine-").FullName;
    static readonly int[] Ids = [4, 8, 15, 16, 23, 42];

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void A_cat_combination_adds_the_weighted_updates_exactly()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = ["q_proj", "v_proj"] }, "a").Values, seed: 1);
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 2, LoraAlpha = 3, UseRslora = true, TargetModules = ["q_proj", "o_proj"] }, "b").Values, seed: 2);
        var layers = LoraInjection.LoraLayers(lm);
        var expected = layers.ToDictionary(kv => kv.Key, kv =>
        {
            double[,]? sum = null;
            foreach (var (name, w) in new[] { ("a", 0.7), ("b", -1.3) })
                if (kv.Value.adapters.ContainsKey(name))
                {
                    var term = Scale(Delta(kv.Value.Adapter(name)), w);
                    sum = sum is null ? term : Add(sum, term);
                }
            return sum!;
        });

        var config = WeightedAdapterCombination.Add(lm, [("a", 0.7), ("b", -1.3)], "mix", "cat");

        Assert.Equal((6, 6.0, false), (config.R, config.LoraAlpha, config.UseRslora));
        Assert.Equal(["o_proj", "q_proj", "v_proj"], config.TargetModules);
        foreach (var (path, layer) in layers)
            Assert.True(MaxAbsDifference(Delta(layer.Adapter("mix")), expected[path]) < 1e-5 * (1 + MaxAbs(expected[path])), path);
        Assert.All(layers.Values, l => Assert.Equal("mix", l.ActiveAdapter));
    }

    [Fact]
    public void A_linear_combination_sums_the_factors_weighted_by_the_square_root_of_weight_times_scaling()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 3, LoraAlpha = 6, TargetModules = ["v_proj"] }, "a").Values, seed: 1);
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 3, LoraAlpha = 12, TargetModules = ["v_proj"] }, "b").Values, seed: 2);
        var layer = LoraInjection.LoraLayers(lm)["model.layers.1.self_attn.v_proj"];
        var (a, b) = (layer.Adapter("a"), layer.Adapter("b"));
        double ka = Math.Sqrt(0.5 * a.Scaling), kb = Math.Sqrt(2.0 * b.Scaling);
        var expectedA = Add(Scale(Float64(a.lora_A), ka), Scale(Float64(b.lora_A), kb));
        var expectedB = Add(Scale(Float64(a.lora_B), ka), Scale(Float64(b.lora_B), kb));

        var config = WeightedAdapterCombination.Add(lm, [("a", 0.5), ("b", 2.0)], "mix", "linear");

        var mix = layer.Adapter("mix");
        Assert.Equal((3, 1.0), (config.R, mix.Scaling));
        Assert.True(MaxAbsDifference(Float64(mix.lora_A), expectedA) < 1e-5);
        Assert.True(MaxAbsDifference(Float64(mix.lora_B), expectedB) < 1e-5);
    }

    [Fact]
    public void A_linear_combination_of_different_ranks_is_refused_naming_them()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        LoraInjection.Inject(lm, new LoraConfig { R = 4, TargetModules = ["q_proj"] }, "a");
        LoraInjection.Inject(lm, new LoraConfig { R = 2, TargetModules = ["q_proj"] }, "b");

        var e = Assert.Throws<ArgumentException>(() => WeightedAdapterCombination.Add(lm, [("a", 1), ("b", 1)], "mix", "linear"));

        Assert.Contains("'a' r = 4, 'b' r = 2; use cat", e.Message);
    }

    [Fact]
    public void A_combined_adapter_saves_and_loads_with_the_same_logits()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"));
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 2, TargetModulesRegex = @"model\.layers\.0\.self_attn\.q_proj" }, "a").Values, seed: 1);
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 3, TargetModules = ["up_proj"] }, "b").Values, seed: 2);
        var config = WeightedAdapterCombination.Add(lm, [("a", 1.5), ("b", 0.5)], "mix", "cat");
        PeftLoraFiles.Save(lm, "mix", config, dir);
        using var expected = Logits(lm, Ids);

        using var fresh = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"));
        PeftLoraFiles.Load(fresh, dir);

        using var actual = Logits(fresh, Ids);
        Assert.Equal(@"model\.layers\.0\.self_attn\.q_proj|model\.layers\.0\.mlp\.up_proj|model\.layers\.1\.mlp\.up_proj", config.TargetModulesRegex);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void DoRA_adapters_are_refused()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        LoraInjection.Inject(lm, new LoraConfig { R = 2, TargetModules = ["q_proj"] }, "a");
        LoraInjection.Inject(lm, new LoraConfig { R = 2, UseDora = true, TargetModules = ["q_proj"] }, "d");

        var e = Assert.Throws<ArgumentException>(() => WeightedAdapterCombination.Add(lm, [("a", 1), ("d", 1)], "mix", "cat"));

        Assert.Contains("'d' is a DoRA adapter", e.Message);
    }
}
