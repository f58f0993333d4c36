namespace LoraLab.Engine.Tests.Models;

/// <summary>config.json of published checkpoints, named by their Hugging Face repository.</summary>
/// <remarks>
/// Each value was checked field by field against copies of the real file found with the search tool (public code quoting
/// the file, with the address it was fetched from); "index id" is the stored file in that index. Where a field could only
/// be confirmed from a sibling checkpoint, the note says so.
/// </remarks>
static class PublishedConfigs
{
    /// <summary>Qwen/Qwen2.5-0.5B-Instruct config.json (transformers 4.43.1).</summary>
    /// <remarks>Every field matches a copy of https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct/blob/main/config.json
    /// in a README that duplicates it changing only architectures/model_type (index id 17290250238), and a test fixture
    /// checking each key of the pinned checkpoint (index id 70617338289).</remarks>
    public const string Qwen25_05BInstruct = """
        {
          "architectures": ["Qwen2ForCausalLM"],
          "attention_dropout": 0.0,
          "bos_token_id": 151643,
          "eos_token_id": 151645,
          "hidden_act": "silu",
          "hidden_size": 896,
          "initializer_range": 0.02,
          "intermediate_size": 4864,
          "max_position_embeddings": 32768,
          "max_window_layers": 21,
          "model_type": "qwen2",
          "num_attention_heads": 14,
          "num_hidden_layers": 24,
          "num_key_value_heads": 2,
          "rms_norm_eps": 1e-06,
          "rope_theta": 1000000.0,
          "sliding_window": 32768,
          "tie_word_embeddings": true,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.43.1",
          "use_cache": true,
          "use_sliding_window": false,
          "vocab_size": 151936
        }
        """;

    /// <summary>Qwen/Qwen3-0.6B config.json.</summary>
    /// <remarks>Every field matches a Rust source quoting https://huggingface.co/Qwen/Qwen3-0.6B/raw/main/config.json
    /// verbatim (index id 23659673446), and a "model config" dump of Qwen/Qwen3-0.6B up to transformers_version.</remarks>
    public const string Qwen3_06B = """
        {
          "architectures": ["Qwen3ForCausalLM"],
          "attention_bias": false,
          "attention_dropout": 0.0,
          "bos_token_id": 151643,
          "eos_token_id": 151645,
          "head_dim": 128,
          "hidden_act": "silu",
          "hidden_size": 1024,
          "initializer_range": 0.02,
          "intermediate_size": 3072,
          "max_position_embeddings": 40960,
          "max_window_layers": 28,
          "model_type": "qwen3",
          "num_attention_heads": 16,
          "num_hidden_layers": 28,
          "num_key_value_heads": 8,
          "rms_norm_eps": 1e-06,
          "rope_scaling": null,
          "rope_theta": 1000000,
          "sliding_window": null,
          "tie_word_embeddings": true,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.51.0",
          "use_cache": true,
          "use_sliding_window": false,
          "vocab_size": 151936
        }
        """;

    /// <summary>meta-llama/Llama-3.2-1B-Instruct config.json.</summary>
    /// <remarks>Every field except eos_token_id matches kevinstephano/thunder_model_blocks hf_llama/llama_config.py
    /// (a dump with _name_or_path meta-llama/Llama-3.2-1B-Instruct, _commit_hash 4e20de36…). That dump, and copies of the
    /// base Llama-3.2-1B, carry eos_token_id 128001; the three-id list is what the Instruct checkpoints of Llama 3.1/3.2
    /// carry (Llama-3.2-3B-Instruct's config, index id 62488854160; Llama-3.1-8B-Instruct's, index id 46065411686). No
    /// verbatim copy of the 1B-Instruct file's eos_token_id was found.</remarks>
    public const string Llama32_1BInstruct = """
        {
          "architectures": ["LlamaForCausalLM"],
          "attention_bias": false,
          "attention_dropout": 0.0,
          "bos_token_id": 128000,
          "eos_token_id": [128001, 128008, 128009],
          "head_dim": 64,
          "hidden_act": "silu",
          "hidden_size": 2048,
          "initializer_range": 0.02,
          "intermediate_size": 8192,
          "max_position_embeddings": 131072,
          "mlp_bias": false,
          "model_type": "llama",
          "num_attention_heads": 32,
          "num_hidden_layers": 16,
          "num_key_value_heads": 8,
          "pretraining_tp": 1,
          "rms_norm_eps": 1e-05,
          "rope_scaling": {
            "factor": 32.0,
            "high_freq_factor": 4.0,
            "low_freq_factor": 1.0,
            "original_max_position_embeddings": 8192,
            "rope_type": "llama3"
          },
          "rope_theta": 500000.0,
          "tie_word_embeddings": true,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.45.0.dev0",
          "use_cache": true,
          "vocab_size": 128256
        }
        """;

    /// <summary>HuggingFaceTB/SmolLM2-135M-Instruct config.json.</summary>
    /// <remarks>The architecture fields match dumps of the 135M config (HuggingFaceTB/SmolLM2-135M,
    /// index ids 15017815005 and 38454145828; max_position_embeddings 8192 also per a page citing
    /// https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct/raw/main/config.json). The base model has bos/eos 0 and no
    /// pad; bos 1, eos 2, pad 2 and transformers 4.42.3 are the Instruct values as SmolLM2-1.7B-Instruct's config carries
    /// them (index id 54689985906) and as the SmolLM2 tokenizer numbers &lt;|im_start|&gt; 1 and &lt;|im_end|&gt; 2; no verbatim
    /// copy of the 135M-Instruct file itself was found, so those four fields are unverified.</remarks>
    public const string SmolLM2_135MInstruct = """
        {
          "architectures": ["LlamaForCausalLM"],
          "attention_bias": false,
          "attention_dropout": 0.0,
          "bos_token_id": 1,
          "eos_token_id": 2,
          "hidden_act": "silu",
          "hidden_size": 576,
          "initializer_range": 0.041666666666666664,
          "intermediate_size": 1536,
          "is_llama_config": true,
          "max_position_embeddings": 8192,
          "mlp_bias": false,
          "model_type": "llama",
          "num_attention_heads": 9,
          "num_hidden_layers": 30,
          "num_key_value_heads": 3,
          "pad_token_id": 2,
          "pretraining_tp": 1,
          "rms_norm_eps": 1e-05,
          "rope_interleaved": false,
          "rope_scaling": null,
          "rope_theta": 100000,
          "tie_word_embeddings": true,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.42.3",
          "use_cache": true,
          "vocab_size": 49152
        }
        """;

    /// <summary>mistralai/Mistral-7B-Instruct-v0.3 config.json.</summary>
    /// <remarks>Every field matches a copy headed https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.3/blob/main/config.json
    /// (index id 3953518908) and a dump listing lm_head (32768, 4096) beside it (index id 61558565367).</remarks>
    public const string Mistral7BInstructV03 = """
        {
          "architectures": ["MistralForCausalLM"],
          "attention_dropout": 0.0,
          "bos_token_id": 1,
          "eos_token_id": 2,
          "hidden_act": "silu",
          "hidden_size": 4096,
          "initializer_range": 0.02,
          "intermediate_size": 14336,
          "max_position_embeddings": 32768,
          "model_type": "mistral",
          "num_attention_heads": 32,
          "num_hidden_layers": 32,
          "num_key_value_heads": 8,
          "rms_norm_eps": 1e-05,
          "rope_theta": 1000000.0,
          "sliding_window": null,
          "tie_word_embeddings": false,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.42.0.dev0",
          "use_cache": true,
          "vocab_size": 32768
        }
        """;

    /// <summary>TinyLlama/TinyLlama-1.1B-Chat-v1.0 config.json.</summary>
    /// <remarks>Every field matches a TinyLlama 1.1B fixture in a Rust test (index id 54689985906); vocab 32000, 22 layers,
    /// 4 KV heads and max_position_embeddings 2048 are also confirmed for
    /// https://huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0/raw/main/config.json by a research log (index id 71059031264).</remarks>
    public const string TinyLlama11BChatV10 = """
        {
          "architectures": ["LlamaForCausalLM"],
          "attention_bias": false,
          "bos_token_id": 1,
          "eos_token_id": 2,
          "hidden_act": "silu",
          "hidden_size": 2048,
          "initializer_range": 0.02,
          "intermediate_size": 5632,
          "max_position_embeddings": 2048,
          "model_type": "llama",
          "num_attention_heads": 32,
          "num_hidden_layers": 22,
          "num_key_value_heads": 4,
          "pretraining_tp": 1,
          "rms_norm_eps": 1e-05,
          "rope_scaling": null,
          "rope_theta": 10000.0,
          "tie_word_embeddings": false,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.35.0",
          "use_cache": true,
          "vocab_size": 32000
        }
        """;
}
