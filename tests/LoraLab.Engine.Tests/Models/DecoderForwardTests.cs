using LoraLab.Engine.Models;
using static TorchSharp.torch;

namespace LoraLab.Engine.Tests.Models;

public class DecoderForwardTests
{
    static readonly int[] Ids = [3, 17, 42, 5, 60, 0, 9, 33, 21];

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void Float32_logits_match_a_float64_reference_implementation(string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        var expected = new ReferenceDecoder(lm).Logits(Ids);

        using var logits = lm.Forward(tensor(Ids, ScalarType.Int64).unsqueeze(0));   // (1, T, V)
        var actual = logits.to(ScalarType.Float64).data<double>().ToArray();

        double maxAbs = expected.SelectMany(r => r).Max(Math.Abs);
        Assert.True(maxAbs > 1.0, "the reference logits should be far from zero for the comparison to mean something");
        for (int t = 0; t < Ids.Length; t++)
            for (int v = 0; v < lm.Config.VocabSize; v++)
                Assert.True(Math.Abs(expected[t][v] - actual[t * lm.Config.VocabSize + v]) < 2e-4,
                    $"{family}: logit[{t},{v}] = {actual[t * lm.Config.VocabSize + v]}, reference {expected[t][v]}");
    }

    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void Decoding_with_the_kv_cache_gives_the_logits_of_full_recomputation(string family)
    {
        using var lm = TinyModels.Create(TinyModels.Named(family));
        using var ids = tensor(Ids, ScalarType.Int64).unsqueeze(0);
        using var full = lm.Forward(ids);   // (1, T, V)

        using var cache = new KvCache(lm.Config.NumHiddenLayers);
        using var prefill = lm.Forward(ids.narrow(1, 0, 4), cache: cache);
        Assert.True(allclose(prefill, full.narrow(1, 0, 4), rtol: 0, atol: 1e-5));
        for (int t = 4; t < Ids.Length; t++)
        {
            using var step = lm.Forward(ids.narrow(1, t, 1), cache: cache);   // (1, 1, V)
            Assert.True(allclose(step, full.narrow(1, t, 1), rtol: 0, atol: 1e-5), $"{family}: step {t} differs");
        }
        Assert.Equal(Ids.Length, cache.Length);
    }

    [Fact]
    public void A_left_padded_row_gets_the_same_logits_as_when_run_alone()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen3-qk-norm-head-dim"));
        int[] shortRow = [7, 8, 9, 10];
        using var alone = lm.Forward(tensor(shortRow, ScalarType.Int64).unsqueeze(0));   // (1, 4, V)

        int pad = Ids.Length - shortRow.Length;
        var padded = Enumerable.Repeat(0, pad).Concat(shortRow).ToArray();
        using var ids = stack([tensor(Ids, ScalarType.Int64), tensor(padded, ScalarType.Int64)]);   // (2, T)
        using var keyIsReal = stack([ones(Ids.Length, ScalarType.Int64), tensor(padded.Select((_, i) => i < pad ? 0L : 1L).ToArray())]);
        using var positions = (keyIsReal.cumsum(1) - 1).clamp_min(0);
        using var batched = lm.Forward(ids, positions, keyIsReal);   // (2, T, V)

        Assert.False(batched.isnan().any().item<bool>());
        Assert.True(allclose(batched[1].narrow(0, pad, shortRow.Length), alone[0], rtol: 0, atol: 1e-5));
    }
}

public class ModelConfigTests
{
    [Theory]
    [MemberData(nameof(TinyModels.Families), MemberType = typeof(TinyModels))]
    public void The_parameter_count_from_the_config_equals_the_built_model(string family)
    {
        var config = TinyModels.Named(family);
        using var lm = new CausalLM(config, CPU, ScalarType.Float32);
        Assert.Equal(lm.ParameterCount(), config.ParameterCount());
    }

    [Fact]
    public void An_unsupported_architecture_is_refused_with_the_supported_list()
    {
        var e = Assert.Throws<ModelConfigException>(() => TinyModels.Config("GPT2LMHeadModel"));
        Assert.Contains("GPT2LMHeadModel", e.Message);
        Assert.Contains("LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM", e.Message);
    }

    [Fact]
    public void A_wrongly_typed_field_is_named_with_its_value()
    {
        var e = Assert.Throws<ModelConfigException>(() => TinyModels.Config("LlamaForCausalLM", j => j["hidden_size"] = "big"));
        Assert.Contains("'hidden_size'", e.Message);
        Assert.Contains("\"big\"", e.Message);
    }

    [Fact]
    public void Grouped_query_attention_and_head_dim_are_derived_once()
    {
        var config = TinyModels.Named("qwen3-qk-norm-head-dim");
        Assert.Equal(12, config.HeadDim);
        Assert.Equal(2, config.KvGroups);
        Assert.True(config.QkNorm);
        Assert.False(config.QkvBias);
    }

    [Fact]
    public void Saving_and_parsing_the_config_json_gives_the_same_config()
    {
        var config = TinyModels.Named("llama3-rope-scaling");
        var again = ModelConfig.Parse(config.ToJson());
        Assert.Equal(config with { EosTokenIds = [] }, again with { EosTokenIds = [] });
    }
}

public class ModelConfigMalformedFieldTests
{
    [Theory]
    [InlineData("rope_scaling", """{"rope_type": 3}""", "'rope_type'")]
    [InlineData("rope_scaling", """{"rope_type": "longrope"}""", "rope_type 'longrope' is not supported")]
    [InlineData("rope_scaling", """{"rope_type": "yarn"}""", "rope_type 'yarn' needs field 'factor'")]
    [InlineData("torch_dtype", "16", "'torch_dtype'")]
    [InlineData("eos_token_id", """[1, "two"]""", "'eos_token_id'")]
    [InlineData("hidden_act", "\"gelu\"", "hidden_act 'gelu' is not supported")]
    public void A_malformed_field_gives_a_config_error_naming_it(string field, string json, string expected)
    {
        var e = Assert.Throws<ModelConfigException>(() =>
            TinyModels.Config("LlamaForCausalLM", j => j[field] = System.Text.Json.Nodes.JsonNode.Parse(json)));
        Assert.Contains(expected, e.Message);
    }
}
