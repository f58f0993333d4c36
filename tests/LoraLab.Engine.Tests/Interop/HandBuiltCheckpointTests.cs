using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Interop;

/// <summary>
/// Checkpoints and adapters of the kinds the shared fixtures lack, built byte by byte with transformers' and PEFT's
/// key names and config fields, and checked against the float64 reference decoder.
/// </summary>
public sealed class HandBuiltCheckpointTests : IDisposable
{
    const int Vocab = 61, Hidden = 32, Intermediate = 48, Layers = 2, Heads = 4;
    static readonly int[] Ids = [3, 17, 42, 5, 60, 0, 9, 33, 21];
    readonly string root = Directory.CreateTempSubdirectory("loralab-handbuilt-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>The tensors transformers' Llama, Mistral, Qwen2 and Qwen3 modules name, with their shapes.</summary>
    HandBuiltHuggingFaceFolder Decoder(string name, int kvHeads, int headDim, bool qkvBias = false, bool qkNorm = false, bool tied = false)
    {
        var folder = new HandBuiltHuggingFaceFolder(Path.Combine(root, name));
        folder.Random("model.embed_tokens.weight", [Vocab, Hidden]).Random("model.norm.weight", [Hidden], 0.1, 1);
        if (!tied) folder.Random("lm_head.weight", [Vocab, Hidden]);
        for (int l = 0; l < Layers; l++)
        {
            string p = $"model.layers.{l}.";
            folder.Random(p + "input_layernorm.weight", [Hidden], 0.1, 1).Random(p + "post_attention_layernorm.weight", [Hidden], 0.1, 1)
                .Random(p + "self_attn.q_proj.weight", [Heads * headDim, Hidden]).Random(p + "self_attn.k_proj.weight", [kvHeads * headDim, Hidden])
                .Random(p + "self_attn.v_proj.weight", [kvHeads * headDim, Hidden]).Random(p + "self_attn.o_proj.weight", [Hidden, Heads * headDim])
                .Random(p + "mlp.gate_proj.weight", [Intermediate, Hidden]).Random(p + "mlp.up_proj.weight", [Intermediate, Hidden])
                .Random(p + "mlp.down_proj.weight", [Hidden, Intermediate]);
            if (qkvBias)
                folder.Random(p + "self_attn.q_proj.bias", [Heads * headDim]).Random(p + "self_attn.k_proj.bias", [kvHeads * headDim])
                    .Random(p + "self_attn.v_proj.bias", [kvHeads * headDim]);
            if (qkNorm) folder.Random(p + "self_attn.q_norm.weight", [headDim], 0.1, 1).Random(p + "self_attn.k_norm.weight", [headDim], 0.1, 1);
        }
        return folder;
    }

    static double[][] EngineLogits(Func<Tensor, Tensor> forward)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logits = forward(tensor(Ids, ScalarType.Int64).unsqueeze(0)).to(ScalarType.Float64);   // (1, T, V)
        var flat = logits.data<double>().ToArray();
        return Enumerable.Range(0, Ids.Length).Select(t => flat.AsSpan(t * Vocab, Vocab).ToArray()).ToArray();
    }

    static void AssertClose(double[][] expected, double[][] actual, string what)
    {
        Assert.True(expected.SelectMany(r => r).Max(Math.Abs) > 1.0, "reference logits near zero would make the comparison meaningless");
        for (int t = 0; t < expected.Length; t++)
            for (int v = 0; v < Vocab; v++)
                Assert.True(Math.Abs(expected[t][v] - actual[t][v]) < 2e-4, $"{what}: logit[{t},{v}] = {actual[t][v]}, reference {expected[t][v]}");
    }

    static ReferenceDecoder Reference(HandBuiltHuggingFaceFolder folder) =>
        new(ModelConfig.Load(folder.Directory), folder.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value));

    void AssertLoadsAsTheReference(HandBuiltHuggingFaceFolder folder)
    {
        using var lm = PretrainedModel.Load(folder.Directory, ComputeDevice.Cpu);
        AssertClose(Reference(folder).Logits(Ids), EngineLogits(ids => lm.Forward(ids)), Path.GetFileName(folder.Directory));
    }

    [Fact]
    public void A_llama_checkpoint_that_still_carries_rotary_inv_freq_buffers_loads_as_transformers_loads_it()
    {
        var folder = Decoder("llama-old", kvHeads: 2, headDim: 8);
        for (int l = 0; l < Layers; l++)   // transformers before 4.31 saved the rotary buffer of every layer
            folder.Exact($"model.layers.{l}.self_attn.rotary_emb.inv_freq", [4], [.. Enumerable.Range(0, 4).Select(i => Math.Pow(10000, -2.0 * i / 8))]);
        folder.WriteJson("config.json", $$"""
            {
              "_name_or_path": "meta-llama/Llama-2-7b-hf",
              "architectures": ["LlamaForCausalLM"],
              "bos_token_id": 1,
              "eos_token_id": 2,
              "hidden_act": "silu",
              "hidden_size": {{Hidden}},
              "initializer_range": 0.02,
              "intermediate_size": {{Intermediate}},
              "max_position_embeddings": 4096,
              "model_type": "llama",
              "num_attention_heads": {{Heads}},
              "num_hidden_layers": {{Layers}},
              "num_key_value_heads": 2,
              "pretraining_tp": 1,
              "rms_norm_eps": 1e-05,
              "rope_scaling": null,
              "tie_word_embeddings": false,
              "torch_dtype": "float16",
              "transformers_version": "4.30.2",
              "use_cache": true,
              "vocab_size": {{Vocab}}
            }
            """);
        folder.WriteSafetensors("model.safetensors");

        AssertLoadsAsTheReference(folder);
    }

    [Fact]
    public void A_mistral_checkpoint_in_bfloat16_loads_as_the_reference_computes_it()
    {
        var folder = Decoder("mistral", kvHeads: 1, headDim: 8);
        folder.WriteJson("config.json", $$"""
            {
              "architectures": ["MistralForCausalLM"],
              "attention_dropout": 0.0,
              "bos_token_id": 1,
              "eos_token_id": 2,
              "head_dim": 8,
              "hidden_act": "silu",
              "hidden_size": {{Hidden}},
              "initializer_range": 0.02,
              "intermediate_size": {{Intermediate}},
              "max_position_embeddings": 32768,
              "model_type": "mistral",
              "num_attention_heads": {{Heads}},
              "num_hidden_layers": {{Layers}},
              "num_key_value_heads": 1,
              "rms_norm_eps": 1e-05,
              "rope_theta": 1000000.0,
              "sliding_window": null,
              "tie_word_embeddings": false,
              "torch_dtype": "bfloat16",
              "transformers_version": "4.42.0.dev0",
              "use_cache": true,
              "vocab_size": {{Vocab}}
            }
            """);
        folder.WriteSafetensors("model.safetensors", "BF16");

        AssertLoadsAsTheReference(folder);
    }

    [Fact]
    public void A_qwen3_checkpoint_with_tied_embeddings_and_no_lm_head_key_loads_as_the_reference_computes_it()
    {
        var folder = Decoder("qwen3", kvHeads: 2, headDim: 12, qkNorm: true, tied: true);
        folder.WriteJson("config.json", $$"""
            {
              "architectures": ["Qwen3ForCausalLM"],
              "attention_bias": false,
              "attention_dropout": 0.0,
              "bos_token_id": 1,
              "eos_token_id": 2,
              "head_dim": 12,
              "hidden_act": "silu",
              "hidden_size": {{Hidden}},
              "initializer_range": 0.02,
              "intermediate_size": {{Intermediate}},
              "max_position_embeddings": 40960,
              "max_window_layers": 28,
              "model_type": "qwen3",
              "num_attention_heads": {{Heads}},
              "num_hidden_layers": {{Layers}},
              "num_key_value_heads": 2,
              "rms_norm_eps": 1e-06,
              "rope_scaling": null,
              "rope_theta": 1000000,
              "sliding_window": null,
              "tie_word_embeddings": true,
              "torch_dtype": "bfloat16",
              "transformers_version": "4.51.0",
              "use_cache": true,
              "use_sliding_window": false,
              "vocab_size": {{Vocab}}
            }
            """);
        folder.WriteSafetensors("model.safetensors", "BF16");

        AssertLoadsAsTheReference(folder);
    }

    /// <summary>A Qwen2 base with q/k/v biases, the model every adapter test below attaches to.</summary>
    HandBuiltHuggingFaceFolder Qwen2Base()
    {
        var folder = Decoder("qwen2", kvHeads: 2, headDim: 8, qkvBias: true);
        folder.WriteJson("config.json", $$"""
            {
              "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
              "hidden_act": "silu", "hidden_size": {{Hidden}}, "initializer_range": 0.02, "intermediate_size": {{Intermediate}},
              "max_position_embeddings": 32768, "max_window_layers": 21, "model_type": "qwen2", "num_attention_heads": {{Heads}},
              "num_hidden_layers": {{Layers}}, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
              "sliding_window": 32768, "tie_word_embeddings": false, "torch_dtype": "float32", "transformers_version": "4.43.1",
              "use_cache": true, "use_sliding_window": false, "vocab_size": {{Vocab}}
            }
            """);
        folder.WriteSafetensors("model.safetensors");
        return folder;
    }

    double[][] AdapterLogits(HandBuiltHuggingFaceFolder model, HandBuiltHuggingFaceFolder adapter)
    {
        using var lm = PretrainedModel.Load(model.Directory, ComputeDevice.Cpu);
        var loaded = AdapterFiles.Load(lm, adapter.Directory);
        return EngineLogits(ids => loaded.Forward(lm, ids));
    }

    [Fact]
    public void A_prompt_tuning_adapter_as_peft_saves_it_prepends_its_virtual_tokens_as_peft_does()
    {
        var model = Qwen2Base();
        var adapter = new HandBuiltHuggingFaceFolder(Path.Combine(root, "prompt")).Random("prompt_embeddings", [3, Hidden], spread: 1.0);
        adapter.WriteJson("adapter_config.json", $$"""
            {
              "auto_mapping": null,
              "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
              "inference_mode": true,
              "num_attention_heads": {{Heads}},
              "num_layers": {{Layers}},
              "num_transformer_submodules": 1,
              "num_virtual_tokens": 3,
              "peft_type": "PROMPT_TUNING",
              "prompt_tuning_init": "RANDOM",
              "prompt_tuning_init_text": null,
              "revision": null,
              "task_type": "CAUSAL_LM",
              "token_dim": {{Hidden}},
              "tokenizer_kwargs": null,
              "tokenizer_name_or_path": null
            }
            """);
        adapter.WriteSafetensors("adapter_model.safetensors");
        var (prompt, _) = adapter.Tensors["prompt_embeddings"];
        var virtualTokens = Enumerable.Range(0, 3).Select(p => prompt.AsSpan(p * Hidden, Hidden).ToArray()).ToArray();

        AssertClose(Reference(model).LogitsAfterVirtualTokens(virtualTokens, Ids), AdapterLogits(model, adapter), "prompt tuning");
    }

    [Fact]
    public void A_prefix_tuning_adapter_as_peft_saves_it_puts_its_keys_and_values_in_front_of_every_layer()
    {
        const int P = 2, KvHeads = 2, HeadDim = 8;
        var model = Qwen2Base();
        // PEFT stores the prefix as (P, layers · 2 · kv heads · head dim) and reads it with
        // view(B, P, layers · 2, kvH, hD).permute(2, 0, 3, 1, 4).split(2): layer l's keys are slot 2l, its values 2l + 1.
        var adapter = new HandBuiltHuggingFaceFolder(Path.Combine(root, "prefix")).Random("prompt_embeddings", [P, Layers * 2 * KvHeads * HeadDim], spread: 1.0);
        adapter.WriteJson("adapter_config.json", $$"""
            {
              "auto_mapping": null,
              "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
              "encoder_hidden_size": {{Hidden}},
              "inference_mode": true,
              "num_attention_heads": {{KvHeads}},
              "num_layers": {{Layers}},
              "num_transformer_submodules": 1,
              "num_virtual_tokens": {{P}},
              "peft_type": "PREFIX_TUNING",
              "prefix_projection": false,
              "revision": null,
              "task_type": "CAUSAL_LM",
              "token_dim": {{KvHeads * HeadDim}}
            }
            """);
        adapter.WriteSafetensors("adapter_model.safetensors");
        var (stored, _) = adapter.Tensors["prompt_embeddings"];
        double[][][] Slot(int slot) => Enumerable.Range(0, KvHeads).Select(h => Enumerable.Range(0, P).Select(p =>
            stored.AsSpan(p * Layers * 2 * KvHeads * HeadDim + (slot * KvHeads + h) * HeadDim, HeadDim).ToArray()).ToArray()).ToArray();
        var prefix = new ReferenceDecoder.PrefixKeysValues(
            [.. Enumerable.Range(0, Layers).Select(l => Slot(2 * l))], [.. Enumerable.Range(0, Layers).Select(l => Slot(2 * l + 1))]);

        AssertClose(Reference(model).LogitsAfterPrefix(prefix, Ids), AdapterLogits(model, adapter), "prefix tuning");
    }

    [Fact]
    public void An_ia3_adapter_as_peft_saves_it_scales_keys_values_and_the_feedforward_input_as_peft_does()
    {
        var model = Qwen2Base();
        var adapter = new HandBuiltHuggingFaceFolder(Path.Combine(root, "ia3"));
        for (int l = 0; l < Layers; l++)
        {
            string p = $"base_model.model.model.layers.{l}.";
            adapter.Random(p + "self_attn.k_proj.ia3_l", [16, 1], 0.5, 1).Random(p + "self_attn.v_proj.ia3_l", [16, 1], 0.5, 1)
                .Random(p + "mlp.down_proj.ia3_l", [1, Intermediate], 0.5, 1);
        }
        adapter.WriteJson("adapter_config.json", """
            {
              "auto_mapping": null,
              "base_model_name_or_path": "Qwen/Qwen2.5-0.5B",
              "exclude_modules": null,
              "fan_in_fan_out": false,
              "feedforward_modules": ["down_proj"],
              "inference_mode": true,
              "init_ia3_weights": true,
              "modules_to_save": null,
              "peft_type": "IA3",
              "revision": null,
              "target_modules": ["k_proj", "v_proj", "down_proj"],
              "task_type": "CAUSAL_LM"
            }
            """);
        adapter.WriteSafetensors("adapter_model.safetensors");
        // PEFT's IA3 multiplies a target's output by ia3_l, and a feedforward target's input: folded into the weights,
        // rows of k_proj/v_proj (and their biases) and columns of down_proj are scaled.
        var weights = model.Tensors.ToDictionary(kv => kv.Key, kv => (Data: (double[])kv.Value.Data.Clone(), kv.Value.Shape));
        foreach (var (key, (scale, _)) in adapter.Tensors)
        {
            string module = key["base_model.model.".Length..^".ia3_l".Length];
            var w = weights[module + ".weight"];
            long rows = w.Shape[0], cols = w.Shape[1];
            bool feedforward = module.EndsWith("down_proj", StringComparison.Ordinal);
            for (long r = 0; r < rows; r++)
                for (long c = 0; c < cols; c++)
                    w.Data[r * cols + c] *= feedforward ? scale[c] : scale[r];
            if (!feedforward && weights.TryGetValue(module + ".bias", out var b))
                for (long r = 0; r < rows; r++) b.Data[r] *= scale[r];
        }
        var reference = new ReferenceDecoder(ModelConfig.Load(model.Directory), weights);

        AssertClose(reference.Logits(Ids), AdapterLogits(model, adapter), "IA3");
    }
}
