using System.Text.Json.Nodes;
using LoraLab.Engine.Generation;

namespace LoraLab.Engine.Tests.Generation;

public sealed class GenerationDefaultsTests
{
    // meta-llama/Llama-3.2-1B-Instruct generation_config.json.
    const string Llama32 = """{"bos_token_id":128000,"do_sample":true,"eos_token_id":[128001,128008,128009],"temperature":0.6,"top_p":0.9,"transformers_version":"4.45.0.dev0"}""";

    static GenerationDefaults Parse(string json) => GenerationDefaults.Parse(JsonNode.Parse(json)!.AsObject());

    [Fact]
    public void Llama32s_generation_config_gives_its_three_eos_ids_and_sampling_values()
    {
        var d = Parse(Llama32);

        Assert.Equal([128001, 128008, 128009], d.EosTokenIds);
        Assert.Equal(0.6, d.Temperature);
        Assert.Equal(0.9, d.TopP);
        Assert.True(d.DoSample);
    }

    [Fact]
    public void Without_user_values_the_models_defaults_apply_with_transformers_top_k_of_50()
    {
        var options = Parse(Llama32).Resolve(new SamplingOverrides(), new SamplingOptions());

        Assert.Equal(0.6, options.Temperature);
        Assert.Equal(0.9, options.TopP);
        Assert.Equal(50, options.TopK);
        Assert.Equal(128, options.MaxNewTokens);
    }

    [Fact]
    public void A_user_value_wins_over_the_models_default()
    {
        var options = Parse(Llama32).Resolve(new SamplingOverrides(Temperature: 0.2, TopP: 0.5, MaxNewTokens: 7), new SamplingOptions());

        Assert.Equal(0.2, options.Temperature);
        Assert.Equal(0.5, options.TopP);
        Assert.Equal(7, options.MaxNewTokens);
    }

    [Fact]
    public void Do_sample_false_means_greedy()
    {
        var options = Parse("""{"do_sample": false, "temperature": 0.7}""").Resolve(new SamplingOverrides(), new SamplingOptions());

        Assert.True(options.IsGreedy);
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_an_error_naming_it_and_unknown_fields_are_ignored()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("""{"top_p": "high", "cache_implementation": "static"}"""));

        Assert.Contains("field 'top_p' has the wrong type, got \"high\"", e.Message);
        Assert.Null(Parse("""{"cache_implementation": "static"}""").TopP);
    }
}
