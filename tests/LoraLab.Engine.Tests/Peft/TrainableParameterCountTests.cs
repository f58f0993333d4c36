using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Tests.Models;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Peft;

public class TrainableParameterCountTests
{
    sealed class NoTokenizer : ITextTokenizer
    {
        public int VocabSize => 61;
        public int? BosId => null;
        public IReadOnlyList<int> EosIds => [0];
        public int? PadId => null;
        public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true) => throw new NotSupportedException();
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => throw new NotSupportedException();
        public bool IsSpecial(int id) => id == 0;
    }

    public static TheoryData<string, MethodOptions> Methods() => new()
    {
        { "llama-gqa-tied", new MethodOptions { Method = "lora", R = 3 } },
        { "llama3-rope-scaling", new MethodOptions { Method = "lora", R = 2, TargetModules = ["q_proj", "down_proj"] } },
        { "qwen2-qkv-bias", new MethodOptions { Method = "dora", R = 4, TargetModules = ["k_proj", "up_proj"] } },
        { "mistral-sliding-window", new MethodOptions { Method = "qlora", R = 2 } },
        { "qwen3-qk-norm-head-dim", new MethodOptions { Method = "prompt", NumVirtualTokens = 5 } },
        { "llama-gqa-tied", new MethodOptions { Method = "prefix", NumVirtualTokens = 4 } },
        { "qwen2-qkv-bias", new MethodOptions { Method = "prefix", NumVirtualTokens = 3, PrefixProjection = true, EncoderHiddenSize = 7 } },
        { "llama3-rope-scaling", new MethodOptions { Method = "ia3" } },
        { "qwen3-qk-norm-head-dim", new MethodOptions { Method = "ia3" } },
        { "qwen2-qkv-bias", new MethodOptions { Method = "adapter", BottleneckSize = 5 } },
        { "llama-gqa-tied", new MethodOptions { Method = "adapter", BottleneckSize = 3, Placement = "mlp" } },
        { "qwen3-qk-norm-head-dim", new MethodOptions { Method = "selective", LastBlocks = 1, Norms = true } },
        { "qwen2-qkv-bias", new MethodOptions { Method = "selective", Biases = true, LmHead = true, Patterns = [@"self_attn\.q_proj"] } },
        { "llama-gqa-tied", new MethodOptions { Method = "selective", LmHead = true } },
        { "mistral-sliding-window", new MethodOptions { Method = "full" } },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void The_count_from_the_config_equals_what_the_attached_method_trains(string family, MethodOptions options)
    {
        var config = TinyModels.Named(family);
        using var lm = TinyModels.Create(config);
        var method = PeftMethodFactory.Create(options, config, new NoTokenizer(), seed: 1);
        method.Attach(lm);

        long counted = TrainableParameterCount.Of(config, options);

        Assert.Equal(PeftMethod.Count(lm, method).Trainable, counted);
    }

    [Fact]
    public void Lora_on_smollm2_all_linear_at_rank_16_matches_the_hand_count()
    {
        // SmolLM2-135M: D 576, I 1536, 30 layers, 9 heads of 64, 3 KV heads; tied head, so all-linear is the 7 projections.
        var config = ModelConfig.Parse(System.Text.Json.Nodes.JsonNode.Parse("""
            { "architectures": ["LlamaForCausalLM"], "hidden_act": "silu", "vocab_size": 49152, "hidden_size": 576,
              "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3,
              "tie_word_embeddings": true }
            """)!.AsObject());
        long perLayer = 16 * ((576 + 576) + (576 + 192) + (576 + 192) + (576 + 576) + 3 * (576 + 1536));

        Assert.Equal(30 * perLayer, TrainableParameterCount.Of(config, new MethodOptions { Method = "lora", R = 16 }));
    }

    [Fact]
    public void Target_modules_that_match_no_layer_are_refused_with_the_layers_there_are()
    {
        var config = TinyModels.Named("llama-gqa-tied");

        var error = Assert.Throws<PeftConfigException>(() => TrainableParameterCount.Of(config, new MethodOptions { TargetModules = ["c_attn"] }));

        Assert.Contains("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj", error.Message);
    }
}
