using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static LoraLab.Engine.Tests.Peft.AdapterTestKit;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public sealed class LoraMergeTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-merge-").FullName;
    static readonly int[] Ids = [4, 8, 15, 16, 23, 42];

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Folder(string name) => Path.Combine(dir, name);

    static CausalLM Adapted(string family, bool dora, string name = "default", long seed = 7)
    {
        var lm = TinyModels.Create(TinyModels.Named(family));
        var config = new LoraConfig { R = 4, LoraAlpha = 8, UseDora = dora, TargetModules = ["q_proj", "v_proj", "o_proj", "down_proj"] };
        Randomize(LoraInjection.Inject(lm, config, name).Values, seed);
        return lm;
    }

    static Dictionary<string, Tensor> BaseWeights(CausalLM lm) =>
        LoraInjection.LoraLayers(lm).ToDictionary(kv => kv.Key, kv => ((LinearLayer)kv.Value.base_layer).weight.detach().clone());

    [Theory]
    [InlineData("qwen2-qkv-bias", false)]
    [InlineData("qwen2-qkv-bias", true)]
    [InlineData("llama-gqa-tied", true)]
    public void A_merged_adapter_gives_the_logits_of_the_unmerged_one(string family, bool dora)
    {
        using var lm = Adapted(family, dora);
        using var unmerged = Logits(lm, Ids);
        using var baseOnly = TinyModels.Create(TinyModels.Named(family));
        using var baseLogits = Logits(baseOnly, Ids);

        LoraMerge.Merge(lm, "default");

        using var merged = Logits(lm, Ids);
        Assert.True(MaxAbsDifference(baseLogits, unmerged) > 0.1, "the adapter should change the logits");
        Assert.True(MaxAbsDifference(unmerged, merged) < 1e-4);
        Assert.All(LoraInjection.LoraLayers(lm).Values, l => Assert.Equal("default", l.MergedAdapter));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Merging_twice_equals_merging_once(bool dora)
    {
        using var lm = Adapted("qwen2-qkv-bias", dora);
        LoraMerge.Merge(lm, "default");
        var once = BaseWeights(lm);

        LoraMerge.Merge(lm, "default");

        foreach (var (path, weight) in BaseWeights(lm)) Assert.True(weight.equal(once[path]).all().item<bool>(), path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Unmerging_restores_the_base_weights(bool dora)
    {
        using var lm = Adapted("qwen2-qkv-bias", dora);
        var original = BaseWeights(lm);
        using var adapted = Logits(lm, Ids);
        LoraMerge.Merge(lm, "default");
        var merged = BaseWeights(lm);

        LoraMerge.Unmerge(lm);

        foreach (var (path, weight) in BaseWeights(lm))
        {
            Assert.True(MaxAbsDifference(merged[path], original[path]) > 0.01, $"{path}: merging should change the weight");
            Assert.True(MaxAbsDifference(weight, original[path]) < 1e-6, path);
        }
        using var again = Logits(lm, Ids);
        Assert.True(MaxAbsDifference(adapted, again) < 1e-4);
    }

    [Fact]
    public void A_second_adapter_cannot_be_merged_or_selected_while_one_is_merged()
    {
        using var lm = Adapted("qwen2-qkv-bias", dora: false);
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 2, TargetModules = ["q_proj"] }, "other").Values, seed: 3);
        LoraMerge.Merge(lm, "default");

        var merge = Assert.Throws<InvalidOperationException>(() => LoraMerge.Merge(lm, "other"));
        var select = Assert.Throws<InvalidOperationException>(() => LoraInjection.SetActive(lm, null));

        Assert.Contains("Adapter 'default' is merged into the base weights; unmerge it (LoraMerge.Unmerge) before selecting 'other'", merge.Message);
        Assert.Contains("before selecting the base model", select.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Merge_and_unload_leaves_a_plain_model_with_the_adapted_logits(bool dora)
    {
        using var lm = Adapted("qwen3-qk-norm-head-dim", dora);
        Randomize(LoraInjection.Inject(lm, new LoraConfig { R = 2, TargetModules = ["k_proj"] }, "unused").Values, seed: 9);
        LoraInjection.SetActive(lm, "default");
        using var expected = Logits(lm, Ids);
        using var plain = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"));

        LoraMerge.MergeAndUnload(lm, "default");

        Assert.Empty(lm.modules().OfType<LoraLinear>());
        Assert.Equal(plain.state_dict().Keys.Order(), lm.state_dict().Keys.Order());
        using var actual = Logits(lm, Ids);
        Assert.True(MaxAbsDifference(expected, actual) < 1e-4);
    }

    [Fact]
    public void An_exported_merged_model_loads_as_a_plain_checkpoint_with_the_adapted_logits_and_the_base_tokenizer()
    {
        using (var original = TinyModels.Create(TinyModels.Named("llama-gqa-tied"))) PretrainedModel.Save(original, Folder("base"));
        File.WriteAllText(Path.Combine(Folder("base"), "tokenizer.json"), """{"model": {"type": "BPE"}}""");
        File.WriteAllText(Path.Combine(Folder("base"), "generation_config.json"), """{"eos_token_id": 2}""");
        using var lm = PretrainedModel.Load(Folder("base"), ComputeDevice.Cpu);
        var config = new LoraConfig { R = 4, LoraAlpha = 16, UseDora = true, TargetModules = [LoraConfig.AllLinear] };
        Randomize(LoraInjection.Inject(lm, config, "default").Values, seed: 2);
        PeftLoraFiles.Save(lm, "default", config, Folder("adapter"));
        using var expected = Logits(lm, Ids);

        LoraMerge.ExportMerged(Folder("base"), Folder("adapter"), Folder("merged"), ComputeDevice.Cpu);

        using var merged = PretrainedModel.Load(Folder("merged"), ComputeDevice.Cpu);
        using var actual = Logits(merged, Ids);
        Assert.True(MaxAbsDifference(expected, actual) < 1e-4);
        foreach (string file in new[] { "tokenizer.json", "generation_config.json" })
            Assert.Equal(File.ReadAllText(Path.Combine(Folder("base"), file)), File.ReadAllText(Path.Combine(Folder("merged"), file)));
        Assert.False(File.Exists(Path.Combine(Folder("merged"), "tokenizer.model")));
    }
}
