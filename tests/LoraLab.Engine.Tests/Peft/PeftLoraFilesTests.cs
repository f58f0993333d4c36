using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;

namespace LoraLab.Engine.Tests.Peft;

public sealed class PeftLoraFilesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-adapter-").FullName;
    static readonly int[] Ids = [4, 8, 15, 16, 23, 42];

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Tensor Logits(CausalLM lm)
    {
        using var _ = no_grad();
        return lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_saved_adapter_loads_back_exactly(bool dora)
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var config = new LoraConfig { R = 4, LoraAlpha = 8, UseDora = dora, TargetModules = [LoraConfig.AllLinear] };
        foreach (var a in LoraInjection.Inject(lm, config, "default").Values)
            using (no_grad()) { a.lora_A.normal_(); a.lora_B.normal_(); a.lora_magnitude_vector?.uniform_(0.5, 1.5); }
        PeftLoraFiles.Save(lm, "default", config, dir);

        using var fresh = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var loadedConfig = PeftLoraFiles.Load(fresh, dir);

        Assert.Equal(config.UseDora, loadedConfig.UseDora);
        using var expected = Logits(lm);
        using var actual = Logits(fresh);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void An_adapter_written_by_peft_loads_with_its_key_names_and_config()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), """
            {"alpha_pattern": {}, "auto_mapping": null, "base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M", "bias": "none",
             "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true, "layers_to_transform": null,
             "lora_alpha": 16, "lora_dropout": 0.05, "modules_to_save": null, "peft_type": "LORA", "r": 2,
             "rank_pattern": {}, "revision": null, "target_modules": ["v_proj", "q_proj"], "task_type": "CAUSAL_LM",
             "use_dora": true, "use_rslora": false}
            """);
        var g = new Generator(5);
        var weights = new Dictionary<string, Tensor>();
        for (int l = 0; l < 2; l++)
            foreach (var (proj, outF) in new[] { ("q_proj", 32L), ("v_proj", 16L) })
            {
                string p = $"base_model.model.model.layers.{l}.self_attn.{proj}";
                weights[$"{p}.lora_A.weight"] = randn([2, 32], generator: g);
                weights[$"{p}.lora_B.weight"] = randn([outF, 2], generator: g);
                weights[$"{p}.lora_magnitude_vector"] = rand([outF], generator: g) + 0.5;
            }
        SafetensorsWriter.Write(Path.Combine(dir, "adapter_model.safetensors"), weights);

        PeftLoraFiles.Load(lm, dir);

        var q = (LoraLinear)lm.model.layers[1].self_attn.q_proj;
        var adapter = q.adapters["default"];
        Assert.Equal(16.0 / 2, adapter.Scaling);
        Assert.True(adapter.lora_magnitude_vector!.equal(weights["base_model.model.model.layers.1.self_attn.q_proj.lora_magnitude_vector"]).all().item<bool>());
        Assert.IsType<LinearLayer>(lm.model.layers[0].self_attn.k_proj);
    }

    [Fact]
    public void An_adapter_for_another_base_is_refused_naming_the_first_mismatching_tensor()
    {
        using var other = TinyModels.Create(TinyModels.Config("LlamaForCausalLM", j => j["hidden_size"] = 48));
        var config = new LoraConfig { R = 2, TargetModules = ["q_proj"] };
        LoraInjection.Inject(other, config, "default");
        PeftLoraFiles.Save(other, "default", config, dir);

        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var e = Assert.Throws<AdapterMismatchException>(() => PeftLoraFiles.Load(lm, dir));

        Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight has shape [2, 48] but this base model needs [2, 32]", e.Message);
        Assert.IsType<LinearLayer>(lm.model.layers[0].self_attn.q_proj);
    }

    [Fact]
    public void A_target_modules_pattern_that_backtracks_without_end_is_refused_naming_the_file_within_seconds()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var config = new LoraConfig { R = 2, TargetModules = ["q_proj"] };
        LoraInjection.Inject(lm, config, "default");
        PeftLoraFiles.Save(lm, "default", config, dir);
        string path = Path.Combine(dir, "adapter_config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        // Nested quantifiers over the whole name: each of the 2^30 ways of splitting "model.layers.0.self_attn.q_proj"
        // is tried before failing (a pattern that splits only at word boundaries fails in under a second on fast machines).
        json["target_modules"] = @"([\w.]+)+X";
        File.WriteAllText(path, json.ToJsonString());
        using var fresh = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var e = Assert.Throws<PeftConfigException>(() => PeftLoraFiles.Load(fresh, dir));

        Assert.StartsWith($"{path}: target_modules '([\\w.]+)+X' took more than 1 s to match 'model.layers.0.self_attn.q_proj'", e.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_rank_pattern_without_a_value_is_refused_naming_the_file()
    {
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), """{"peft_type": "LORA", "r": 2, "target_modules": ["q_proj"], "rank_pattern": {"q_proj": null}}""");

        var e = Assert.Throws<PeftConfigException>(() => LoraConfig.Load(dir));

        Assert.Equal($"{Path.Combine(dir, "adapter_config.json")}: rank_pattern['q_proj'] must be a number, got null.", e.Message);
    }
}
