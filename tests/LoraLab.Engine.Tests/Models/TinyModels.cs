using System.Text.Json.Nodes;
using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

/// <summary>Tiny configurations of each supported family, small enough for float64 reference loops.</summary>
static class TinyModels
{
    public static ModelConfig Config(string architecture, Action<JsonObject>? tweak = null)
    {
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(architecture),
            ["vocab_size"] = 61, ["hidden_size"] = 32, ["intermediate_size"] = 48, ["num_hidden_layers"] = 2,
            ["num_attention_heads"] = 4, ["num_key_value_heads"] = 2, ["rms_norm_eps"] = 1e-5, ["rope_theta"] = 10000.0,
            ["max_position_embeddings"] = 128, ["tie_word_embeddings"] = false,
        };
        tweak?.Invoke(json);
        return ModelConfig.Parse(json);
    }

    public static CausalLM Create(ModelConfig config, long seed = 1, ScalarType dtype = ScalarType.Float32)
    {
        var lm = new CausalLM(config, CPU, dtype);
        // A larger std than transformers' 0.02 so that attention patterns and norms are far from trivial.
        ModelInitializer.InitializeRandom(lm, seed, std: 0.3);
        return lm;
    }

    public static TheoryData<string> Families() => new()
    {
        "llama-gqa-tied", "llama3-rope-scaling", "mistral-sliding-window", "qwen2-qkv-bias", "qwen3-qk-norm-head-dim",
    };

    public static ModelConfig Named(string name) => name switch
    {
        "llama-gqa-tied" => Config("LlamaForCausalLM", j => j["tie_word_embeddings"] = true),
        "llama3-rope-scaling" => Config("LlamaForCausalLM", j =>
        {
            j["rope_theta"] = 500000.0;
            j["rope_scaling"] = new JsonObject { ["rope_type"] = "llama3", ["factor"] = 8.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0, ["original_max_position_embeddings"] = 64 };
        }),
        "mistral-sliding-window" => Config("MistralForCausalLM", j => j["sliding_window"] = 3),
        "qwen2-qkv-bias" => Config("Qwen2ForCausalLM", j => j["num_key_value_heads"] = 1),
        "qwen3-qk-norm-head-dim" => Config("Qwen3ForCausalLM", j => j["head_dim"] = 12),
        _ => throw new ArgumentException(name),
    };
}
