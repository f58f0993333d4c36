using System.Text.Json.Nodes;
using LoraLab.Engine.Checkpoints;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.PrefixTuning;
using LoraLab.Engine.Peft.PromptTuning;

namespace LoraLab.Engine.Tests.Peft;

public sealed class SoftPromptFilesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("loralab-softprompt-").FullName;
    static readonly long[] Ids = [4, 8, 15, 16, 23, 42];

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Tensor Logits(IPeftMethod method, CausalLM lm)
    {
        using var _ = no_grad();
        return method.Forward(lm, tensor(Ids).unsqueeze(0), keyIsReal: null);
    }

    JsonObject SavedConfig() => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "adapter_config.json")))!;

    [Fact]
    public void A_prompt_tuning_adapter_is_written_with_peft_s_tensor_name_and_config_fields()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var config = new PromptTuningConfig
        {
            NumVirtualTokens = 5, PromptTuningInit = PromptTuningConfig.Text, PromptTuningInitText = "Classify the review:",
            TokenizerNameOrPath = "Qwen/Qwen2.5-0.5B", BaseModelNameOrPath = "Qwen/Qwen2.5-0.5B",
        };
        var method = new PromptTuningMethod(config, initTokenIds: [7, 8, 9]);
        method.Attach(lm);
        method.Save(lm, dir);

        var expected = JsonNode.Parse("""
            {"auto_mapping": null, "base_model_name_or_path": "Qwen/Qwen2.5-0.5B", "inference_mode": true, "num_attention_heads": 4,
             "num_layers": 2, "num_transformer_submodules": 1, "num_virtual_tokens": 5, "peft_type": "PROMPT_TUNING",
             "prompt_tuning_init": "TEXT", "prompt_tuning_init_text": "Classify the review:", "revision": null,
             "task_type": "CAUSAL_LM", "token_dim": 32, "tokenizer_name_or_path": "Qwen/Qwen2.5-0.5B"}
            """)!;
        var saved = SavedConfig();
        Assert.True(JsonNode.DeepEquals(expected, saved), saved.ToJsonString());
        Assert.Equal(saved.Select(kv => kv.Key).Order(StringComparer.Ordinal), saved.Select(kv => kv.Key));
        using var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        var entry = Assert.Single(file.Tensors).Value;
        Assert.Equal("prompt_embeddings", entry.Name);
        Assert.Equal([5L, 32], entry.Shape);
        Assert.Equal(SafetensorsDType.F32, entry.DType);
        Assert.Equal("pt", file.Metadata["format"]);
    }

    [Fact]
    public void A_prefix_adapter_on_a_grouped_query_model_stores_the_key_value_width_as_peft_does()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));   // 4 heads of 8, 2 KV heads
        var method = new PrefixTuningMethod(new PrefixTuningConfig { NumVirtualTokens = 3, PrefixProjection = true });
        method.Attach(lm);
        method.Save(lm, dir);

        var expected = JsonNode.Parse("""
            {"auto_mapping": null, "base_model_name_or_path": null, "encoder_hidden_size": 16, "inference_mode": true,
             "num_attention_heads": 2, "num_layers": 2, "num_transformer_submodules": 1, "num_virtual_tokens": 3,
             "peft_type": "PREFIX_TUNING", "prefix_projection": true, "revision": null, "task_type": "CAUSAL_LM", "token_dim": 16}
            """)!;
        var saved = SavedConfig();
        Assert.True(JsonNode.DeepEquals(expected, saved), saved.ToJsonString());
        using var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        Assert.Equal([3L, 2 * 2 * 16], Assert.Single(file.Tensors, t => t.Key == "prompt_embeddings").Value.Shape);
    }

    [Theory]
    [InlineData("prompt")]
    [InlineData("prefix")]
    public void A_saved_adapter_loads_back_by_its_peft_type_with_identical_logits(string kind)
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"));
        IPeftMethod method = kind == "prompt"
            ? new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = 4 }, seed: 2)
            : new PrefixTuningMethod(new PrefixTuningConfig { NumVirtualTokens = 4 }, seed: 2);
        method.Attach(lm);
        method.Save(lm, dir);

        using var fresh = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"));
        var loaded = SoftPromptFiles.Load(fresh, dir);

        Assert.Equal(kind, loaded.Kind);
        Assert.All(fresh.parameters(), p => Assert.False(p.requires_grad));
        using var expected = Logits(method, lm);
        using var actual = Logits(loaded, fresh);
        Assert.True(expected.equal(actual).all().item<bool>());
    }

    [Fact]
    public void A_prompt_trained_for_another_hidden_size_names_the_tensor_and_both_shapes()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = 5 });
        method.Attach(lm);
        method.Save(lm, dir);

        using var wider = TinyModels.Create(TinyModels.Config("Qwen2ForCausalLM", j => j["hidden_size"] = 48));
        var e = Assert.Throws<AdapterMismatchException>(() => SoftPromptFiles.Load(wider, dir));

        Assert.Contains("'prompt_embeddings' has shape [5, 32] but this base model needs [5, 48]", e.Message);
        Assert.Contains("adapter_model.safetensors", e.Message);
    }

    [Fact]
    public void A_prefix_trained_for_other_key_value_heads_names_the_tensor_and_both_shapes()
    {
        using var lm = TinyModels.Create(TinyModels.Named("llama-gqa-tied"));   // 2 layers · 2 · (2 KV heads · 8)
        var method = new PrefixTuningMethod(new PrefixTuningConfig { NumVirtualTokens = 3 });
        method.Attach(lm);
        method.Save(lm, dir);

        using var single = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));   // 2 layers · 2 · (1 KV head · 8)
        var e = Assert.Throws<AdapterMismatchException>(() => SoftPromptFiles.Load(single, dir));

        Assert.Contains("'prompt_embeddings' has shape [3, 64] but this base model needs [3, 32]", e.Message);
    }

    [Fact]
    public void A_config_field_that_does_not_fit_the_model_is_named_with_the_file()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = new PromptTuningMethod(new PromptTuningConfig { NumVirtualTokens = 2 });
        method.Attach(lm);
        method.Save(lm, dir);
        var json = SavedConfig();
        json["num_layers"] = 3;
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), json.ToJsonString());

        using var fresh = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var e = Assert.Throws<AdapterMismatchException>(() => SoftPromptFiles.Load(fresh, dir));

        Assert.Contains("adapter_config.json: num_layers = 3 does not fit this base model, whose num_hidden_layers is 2", e.Message);
    }

    [Fact]
    public void A_lora_adapter_is_not_taken_for_a_soft_prompt()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), """{"peft_type": "LORA", "r": 8}""");

        var e = Assert.Throws<PeftConfigException>(() => SoftPromptFiles.Load(lm, dir));

        Assert.Contains("peft_type 'LORA' is not a soft-prompt adapter", e.Message);
    }

    [Fact]
    public void A_pickled_adapter_is_refused_with_the_way_to_save_it_safely()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), """{"peft_type": "PROMPT_TUNING", "num_virtual_tokens": 4}""");
        File.WriteAllBytes(Path.Combine(dir, "adapter_model.bin"), [0x80, 0x02]);

        var e = Assert.Throws<PeftConfigException>(() => SoftPromptFiles.Load(lm, dir));

        Assert.Contains("safe_serialization=True", e.Message);
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_named()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), """{"peft_type": "PREFIX_TUNING", "num_virtual_tokens": "20"}""");

        var e = Assert.Throws<PeftConfigException>(() => SoftPromptFiles.Load(lm, dir));

        Assert.Contains("field 'num_virtual_tokens' must be an integer, got \"20\"", e.Message);
    }
}
